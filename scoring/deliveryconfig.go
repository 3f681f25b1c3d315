package scoring

import (
	"cmp"
	"fmt"
	"strings"
	"time"

	"github.com/sparlab/spar/dialog/httpapi"
)

// DeliveryConfig sends each new scorecard on (the `scoring.delivery` section): a signed
// webhook, an xAPI statement to an LRS and a text message to phone learners. Each channel is
// off until configured. Zero fields take defaults.
type DeliveryConfig struct {
	// PublicURL is the server's base URL, for scorecard links and default activity IRIs.
	// cmd fills it from the top-level public_url.
	PublicURL string `yaml:"-"`
	// Attempts is how many times one channel is tried for one card (default 5).
	Attempts int `yaml:"attempts"`
	// RetryMin and RetryMax bound the backoff between attempts (defaults 2s, 1m).
	RetryMin time.Duration `yaml:"retry_min"`
	RetryMax time.Duration `yaml:"retry_max"`
	// Timeout bounds one request of any channel (default 15s).
	Timeout time.Duration `yaml:"timeout"`
	// Queue is how many cards may wait for delivery before new ones are skipped (default 256).
	Queue int `yaml:"queue"`

	Webhook WebhookConfig `yaml:"webhook"`
	XAPI    XAPIConfig    `yaml:"xapi"`
	SMS     SMSConfig     `yaml:"sms"`
}

// WebhookConfig posts each scorecard, signed with HMAC-SHA256 (docs/SCORING.md says how to
// verify it).
type WebhookConfig struct {
	URL string `yaml:"url"` // empty: no webhook
	// SecretEnv names the environment variable holding the signing secret (default
	// SPAR_WEBHOOK_SECRET).
	SecretEnv string `yaml:"secret_env"`
	Secret    string `yaml:"-"`
}

// XAPIConfig sends an xAPI "completed" statement per call to a Learning Record Store.
type XAPIConfig struct {
	// Endpoint is the LRS's xAPI base URL; statements go to Endpoint + "/statements".
	// Empty: no statements.
	Endpoint string `yaml:"endpoint"`
	// UsernameEnv and PasswordEnv name the environment variables with the LRS's basic auth
	// credentials (defaults SPAR_LRS_USERNAME, SPAR_LRS_PASSWORD).
	UsernameEnv string `yaml:"username_env"`
	PasswordEnv string `yaml:"password_env"`
	Username    string `yaml:"-"`
	Password    string `yaml:"-"`
	// ActivityBase prefixes the scenario ID to make the activity IRI (default
	// <public_url>/scenarios/).
	ActivityBase string `yaml:"activity_base"`
	// HomePage names the account system of learners without an email address (default
	// public_url).
	HomePage string `yaml:"home_page"`
}

// SMSConfig texts phone learners a link to their scorecard through Twilio's Messages API.
type SMSConfig struct {
	Enabled bool `yaml:"enabled"`
	// From is the sending number (E.164) or a messaging service SID (MG...).
	From string `yaml:"from"`
	// AccountSIDEnv and AuthTokenEnv name the environment variables with the Twilio
	// credentials (defaults TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN).
	AccountSIDEnv string `yaml:"account_sid_env"`
	AuthTokenEnv  string `yaml:"auth_token_env"`
	AccountSID    string `yaml:"-"`
	AuthToken     string `yaml:"-"`
	// Link is the scorecard link; {id} is replaced by the call ID (default
	// <public_url>/?call={id}).
	Link string `yaml:"link"`
}

func (c DeliveryConfig) withDefaults() DeliveryConfig {
	base := strings.TrimSuffix(c.PublicURL, "/")
	c.Attempts = cmp.Or(c.Attempts, 5)
	c.RetryMin = cmp.Or(c.RetryMin, 2*time.Second)
	c.RetryMax = cmp.Or(c.RetryMax, time.Minute)
	c.Timeout = cmp.Or(c.Timeout, 15*time.Second)
	c.Queue = cmp.Or(c.Queue, 256)
	c.Webhook.SecretEnv = cmp.Or(c.Webhook.SecretEnv, "SPAR_WEBHOOK_SECRET")
	c.XAPI.UsernameEnv = cmp.Or(c.XAPI.UsernameEnv, "SPAR_LRS_USERNAME")
	c.XAPI.PasswordEnv = cmp.Or(c.XAPI.PasswordEnv, "SPAR_LRS_PASSWORD")
	c.XAPI.ActivityBase = cmp.Or(c.XAPI.ActivityBase, base+"/scenarios/")
	c.XAPI.HomePage = cmp.Or(c.XAPI.HomePage, base)
	c.SMS.AccountSIDEnv = cmp.Or(c.SMS.AccountSIDEnv, "TWILIO_ACCOUNT_SID")
	c.SMS.AuthTokenEnv = cmp.Or(c.SMS.AuthTokenEnv, "TWILIO_AUTH_TOKEN")
	c.SMS.Link = cmp.Or(c.SMS.Link, base+"/?call={id}")
	return c
}

// Validate reports the first unusable setting. Missing secrets are reported by
// NewDeliverer, once the environment has been read.
func (c DeliveryConfig) Validate() error {
	switch {
	case c.Attempts < 0 || c.Queue < 0 || c.Timeout < 0:
		return fmt.Errorf("%w: delivery.attempts, queue and timeout must not be negative", ErrInvalidConfig)
	case c.RetryMin < 0 || c.RetryMax < 0 || (c.RetryMax > 0 && c.RetryMin > c.RetryMax):
		return fmt.Errorf("%w: delivery.retry_min %v and retry_max %v must be positive, min <= max", ErrInvalidConfig, c.RetryMin, c.RetryMax)
	case c.Webhook.URL != "" && !httpapi.ValidURL(c.Webhook.URL, "http", "https"):
		return fmt.Errorf("%w: delivery.webhook.url %q: want an http(s) URL", ErrInvalidConfig, c.Webhook.URL)
	case c.XAPI.Endpoint != "" && !httpapi.ValidURL(c.XAPI.Endpoint, "http", "https"):
		return fmt.Errorf("%w: delivery.xapi.endpoint %q: want an http(s) URL", ErrInvalidConfig, c.XAPI.Endpoint)
	case c.SMS.Enabled && c.SMS.From == "":
		return fmt.Errorf("%w: delivery.sms.from is required when sms is enabled", ErrInvalidConfig)
	}
	return nil
}

// WithSecrets returns c with every key and password read from the environment variables
// the file names (getenv is os.Getenv outside tests). Secrets never come from the file.
func (c Config) WithSecrets(getenv func(string) string) Config {
	j := c.Judge.withDefaults()
	c.Judge.APIKey = getenv(j.APIKeyEnv)
	d := c.Delivery.withDefaults()
	c.Delivery.Webhook.Secret = getenv(d.Webhook.SecretEnv)
	c.Delivery.XAPI.Username = getenv(d.XAPI.UsernameEnv)
	c.Delivery.XAPI.Password = getenv(d.XAPI.PasswordEnv)
	c.Delivery.SMS.AccountSID = getenv(d.SMS.AccountSIDEnv)
	c.Delivery.SMS.AuthToken = getenv(d.SMS.AuthTokenEnv)
	return c
}
