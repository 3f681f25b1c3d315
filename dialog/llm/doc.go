// Package llm plays a scenario's persona with a chat model behind an OpenAI-compatible
// streaming endpoint (OpenAI, Ollama, vLLM, llama.cpp server, Groq; docs/PROVIDERS.md).
//
// One turn:
//  1. The scripted persona (dialog/persona) hears the learner's words and decides the state:
//     mood, stage, objections, hang-up. Its chosen lines become the beat of the reply.
//  2. The system prompt is rebuilt from the scenario (who the persona is, its hidden goal, its
//     objections, how it speaks) and the state, ending with the beat.
//  3. The reply streams over server-sent events; each sentence goes to say as soon as it is
//     complete, so speech starts on the first one.
//  4. Barge-in cancels the turn's context, which closes the HTTP request.
//  5. An error or a slow first token before anything was said is answered with the scripted
//     beat itself: the persona stays in character and the call's timeline is unchanged.
package llm
