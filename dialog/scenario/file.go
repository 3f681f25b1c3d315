package scenario

import "gopkg.in/yaml.v3"

// file is the YAML document as written. Pointers and empty strings mean "not set": resolve
// fills them from the difficulty's Profile, so one file can be replayed at another difficulty.
// The yaml tags are the schema: the strict key check walks these types.
type file struct {
	ID              string                   `yaml:"id"`
	Title           string                   `yaml:"title"`
	Category        string                   `yaml:"category"`
	Difficulty      string                   `yaml:"difficulty"`
	Situation       string                   `yaml:"situation"`
	LearnerGoal     string                   `yaml:"learner_goal"`
	Persona         filePersona              `yaml:"persona"`
	Words           []string                 `yaml:"words"`
	Turns           fileTurns                `yaml:"turns"`
	Mood            fileMood                 `yaml:"mood"`
	Behaviours      map[string]fileBehaviour `yaml:"behaviours"`
	Stages          []fileStage              `yaml:"stages"`
	Objections      []fileObjection          `yaml:"objections"`
	RaiseObjections *int                     `yaml:"raise_objections"`
	Lines           fileLines                `yaml:"lines"`
	Providers       fileProviders            `yaml:"providers"`
}

type filePersona struct {
	Name      string `yaml:"name"`
	Voice     string `yaml:"voice"`
	Backstory string `yaml:"backstory"`
	Goal      string `yaml:"goal"`
	StartMood *int   `yaml:"start_mood"`
}

type fileProviders struct {
	Persona string `yaml:"persona"`
	STT     string `yaml:"stt"`
	TTS     string `yaml:"tts"`
	Voice   string `yaml:"voice"`
}

type fileTurns struct {
	EndSilence     string      `yaml:"end_silence"`
	EndSilenceDone string      `yaml:"end_silence_complete"`
	ResumeWithin   string      `yaml:"resume_within"`
	MinBargeIn     string      `yaml:"min_barge_in"`
	Backchannels   []string    `yaml:"backchannels"`
	SilenceTimeout string      `yaml:"silence_timeout"`
	SilencePrompts *int        `yaml:"silence_prompts"`
	MaxDuration    string      `yaml:"max_duration"`
	PersonaBargeIn fileBargeIn `yaml:"persona_barge_in"`
}

type fileBargeIn struct {
	Enabled   *bool    `yaml:"enabled"`
	AfterTalk string   `yaml:"after_talk"`
	Triggers  []string `yaml:"triggers"`
}

type fileMood struct {
	Max        *int           `yaml:"max"`
	HangupAt   *int           `yaml:"hangup_at"`
	Bands      map[string]int `yaml:"bands"`
	Drift      *float64       `yaml:"drift"`
	Recovery   *float64       `yaml:"recovery"`
	Idle       *float64       `yaml:"idle"`
	TalkedOver *float64       `yaml:"talked_over"`
	Monologue  *float64       `yaml:"monologue"`
	Silence    *float64       `yaml:"silence"`
	MaxStep    *float64       `yaml:"max_step"`
}

type fileBehaviour struct {
	Label    string   `yaml:"label"`
	Phrases  []string `yaml:"phrases"`
	Needs    string   `yaml:"needs"`
	Mood     float64  `yaml:"mood"`
	Repeat   *float64 `yaml:"repeat"`
	EndsCall bool     `yaml:"ends_call"`
	// CorrectedBy and ShownBy: see Behaviour.
	CorrectedBy []string `yaml:"corrected_by"`
	ShownBy     []string `yaml:"shown_by"`
	List        int      `yaml:"list"`
}

type fileStage struct {
	Name    string          `yaml:"name"`
	Advance fileRequirement `yaml:"advance"`
	Skip    fileRequirement `yaml:"skip"`
	MaxMood *int            `yaml:"max_mood"`
}

type fileRequirement struct {
	All []string `yaml:"all"`
	Any []string `yaml:"any"`
	Min *int     `yaml:"min"`
}

type fileObjection struct {
	ID        string          `yaml:"id"`
	Stage     string          `yaml:"stage"`
	Says      []string        `yaml:"says"`
	Again     []string        `yaml:"again"`
	Yields    []string        `yaml:"yields"`
	HandledBy fileRequirement `yaml:"handled_by"`
}

type fileLines struct {
	Greeting        []string                       `yaml:"greeting"`
	Silence         []string                       `yaml:"silence"`
	SilenceHangup   []string                       `yaml:"silence_hangup"`
	HangupAngry     []string                       `yaml:"hangup_angry"`
	GoodbyeResolved []string                       `yaml:"goodbye_resolved"`
	Goodbye         []string                       `yaml:"goodbye"`
	Repair          []string                       `yaml:"repair"`
	Interrupted     []string                       `yaml:"interrupted"`
	RepeatQuestion  []string                       `yaml:"repeat_question"`
	Reactions       map[string][]string            `yaml:"reactions"`
	Stages          map[string]map[string][]string `yaml:"stages"`
}

// source keeps what was read so a scenario can be rebuilt (WithDifficulty) and so problems
// found later still point at a line.
type source struct {
	name string
	root *yaml.Node // the document's top mapping
	f    file
}
