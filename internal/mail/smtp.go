package mail

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	netmail "net/mail"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/personapal/personapal/internal/persona"
)

// TLSMode is how the connection to the SMTP server is protected.
type TLSMode string

// TLS modes.
const (
	// STARTTLS: a plain connection upgraded with STARTTLS, required
	// (smtp://, port 587 by default). A server that does not offer it is
	// an error, never a fallback to plain text.
	STARTTLS TLSMode = "starttls"
	// ImplicitTLS: TLS from the first byte (smtps://, port 465).
	ImplicitTLS TLSMode = "tls"
	// NoTLS: plain text, for a relay on the same host or network
	// (smtp://…?starttls=none); never with a password.
	NoTLS TLSMode = "none"
)

// SMTPConfig says how to reach the SMTP server.
type SMTPConfig struct {
	Host     string
	Port     int
	Username string
	Password string
	TLS      TLSMode
	// RootCAs verifies the server's certificate; nil: the system's roots.
	RootCAs *x509.CertPool
	// From is the sender ("Persona Pal <pp@example.com>").
	From string
	// HELO is the name given in EHLO ("" : go-mail's default).
	HELO string
	// Timeout bounds each step of the conversation (0: 30 s).
	Timeout time.Duration
}

// ParseSMTPURL reads --smtp-url: smtp://[user[:password]@]host[:port]
// (STARTTLS required, port 587), smtps://… (implicit TLS, port 465), and
// ?starttls=none for a plain-text local relay (refused with a user or
// password: credentials never travel unencrypted). Percent-encode special
// characters of the user and password.
func ParseSMTPURL(raw string) (SMTPConfig, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return SMTPConfig{}, errors.New("not a URL such as smtp://user:password@mail.example.com:587")
	}
	var c SMTPConfig
	switch u.Scheme {
	case "smtp":
		c.TLS, c.Port = STARTTLS, 587
	case "smtps":
		c.TLS, c.Port = ImplicitTLS, 465
	default:
		return SMTPConfig{}, errors.New("the scheme must be smtp:// (STARTTLS) or smtps:// (implicit TLS)")
	}
	c.Host = u.Hostname()
	if c.Host == "" {
		return SMTPConfig{}, errors.New("the URL names no host")
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return SMTPConfig{}, fmt.Errorf("bad port %q", p)
		}
		c.Port = n
	}
	if u.User != nil {
		c.Username = u.User.Username()
		c.Password, _ = u.User.Password()
	}
	if u.Path != "" && u.Path != "/" {
		return SMTPConfig{}, errors.New("the URL must not have a path")
	}
	for k, v := range u.Query() {
		switch {
		case k == "starttls" && len(v) == 1 && (v[0] == "none" || v[0] == "required"):
			if v[0] == "none" {
				if c.TLS != STARTTLS {
					return SMTPConfig{}, errors.New("starttls=none goes with smtp://, not smtps://")
				}
				c.TLS = NoTLS
			}
		default:
			return SMTPConfig{}, fmt.Errorf("unknown parameter %q (only starttls=none or starttls=required)", k)
		}
	}
	if c.TLS == NoTLS && (c.Username != "" || c.Password != "") {
		return SMTPConfig{}, errors.New("starttls=none sends everything in plain text: it cannot be used with a user or password")
	}
	return c, nil
}

// Redacted is the URL without its password, for logs.
func (c SMTPConfig) Redacted() string {
	scheme := "smtp"
	if c.TLS == ImplicitTLS {
		scheme = "smtps"
	}
	u := url.URL{Scheme: scheme, Host: net.JoinHostPort(c.Host, strconv.Itoa(c.Port))}
	if c.Username != "" {
		u.User = url.User(c.Username)
	}
	if c.TLS == NoTLS {
		u.RawQuery = "starttls=none"
	}
	return u.String()
}

// LoadRootCAs reads PEM certificates to trust for the SMTP server instead
// of the system's (--smtp-ca-file).
func LoadRootCAs(path string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("%s holds no PEM certificate", path)
	}
	return pool, nil
}

// SMTP sends outbox messages to an SMTP server.
type SMTP struct {
	cfg  SMTPConfig
	from *netmail.Address
	log  *slog.Logger
}

// NewSMTP checks the configuration (the sender is required and must be
// an address, optionally with a name) and returns a sender.
func NewSMTP(cfg SMTPConfig, log *slog.Logger) (*SMTP, error) {
	if strings.TrimSpace(cfg.From) == "" {
		return nil, errors.New("a sender is required (--mail-from \"Persona Pal <pp@example.com>\")")
	}
	from, err := netmail.ParseAddress(cfg.From)
	if err != nil {
		return nil, fmt.Errorf("the sender %q is not an address such as \"Persona Pal <pp@example.com>\"", cfg.From)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	if log == nil {
		log = slog.Default()
	}
	return &SMTP{cfg: cfg, from: from, log: log}, nil
}

// Config returns the configuration.
func (s *SMTP) Config() SMTPConfig { return s.cfg }

// Send delivers m: one SMTP transaction, with m's Message-ID. It returns
// nil once the server accepted the message (a failure to say goodbye
// afterwards is only logged: the message is delivered, and sending it
// again would duplicate it). A refusal (5xx) or a failure to connect is
// an error; the queue tries again later.
func (s *SMTP) Send(ctx context.Context, m persona.OutboxMessage) error {
	msg := gomail.NewMsg()
	msg.FromMailAddress(s.from)
	if err := msg.To(m.To); err != nil {
		return fmt.Errorf("recipient %q: %w", m.To, err)
	}
	msg.Subject(m.Subject)
	msg.SetMessageIDWithValue(strings.TrimSuffix(strings.TrimPrefix(m.MessageID, "<"), ">"))
	msg.SetDateWithValue(m.CreatedAt)
	msg.SetGenHeader("Auto-Submitted", "auto-generated")
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	tlsConfig := &tls.Config{ServerName: s.cfg.Host, RootCAs: s.cfg.RootCAs, MinVersion: tls.VersionTLS12}
	// The connection is closed when ctx ends (the job's time is up), so
	// an attempt never outlives its job: a job rescued later cannot meet
	// an earlier attempt still talking to the server.
	var stops []func() bool
	defer func() {
		for _, stop := range stops {
			stop()
		}
	}()
	dial := func(dctx context.Context, network, addr string) (net.Conn, error) {
		nd := &net.Dialer{Timeout: s.cfg.Timeout}
		var (
			conn net.Conn
			err  error
		)
		if s.cfg.TLS == ImplicitTLS {
			conn, err = (&tls.Dialer{NetDialer: nd, Config: tlsConfig}).DialContext(dctx, network, addr)
		} else {
			conn, err = nd.DialContext(dctx, network, addr)
		}
		if err != nil {
			return nil, err
		}
		stops = append(stops, context.AfterFunc(ctx, func() { _ = conn.Close() }))
		return conn, nil
	}
	opts := []gomail.Option{gomail.WithPort(s.cfg.Port), gomail.WithTimeout(s.cfg.Timeout), gomail.WithoutRset(),
		gomail.WithTLSConfig(tlsConfig), gomail.WithDialContextFunc(dial)}
	switch s.cfg.TLS {
	case ImplicitTLS:
		opts = append(opts, gomail.WithSSL())
	case NoTLS:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if s.cfg.Username != "" {
		// The strongest mechanism the server offers; PLAIN and LOGIN only
		// over TLS (go-mail refuses them on a plain connection, and the
		// configuration never has credentials without TLS).
		opts = append(opts, gomail.WithOpportunisticSMTPAuth(gomail.SMTPAuthSCRAMSHA256, gomail.SMTPAuthSCRAMSHA1,
			gomail.SMTPAuthCramMD5, gomail.SMTPAuthPlain, gomail.SMTPAuthLogin),
			gomail.WithUsername(s.cfg.Username), gomail.WithPassword(s.cfg.Password))
	}
	if s.cfg.HELO != "" {
		opts = append(opts, gomail.WithHELO(s.cfg.HELO))
	}
	c, err := gomail.NewClient(s.cfg.Host, opts...)
	if err != nil {
		return err
	}
	conn, err := c.DialToSMTPClientWithContext(ctx)
	if err != nil {
		return fmt.Errorf("connect to %s: %w", net.JoinHostPort(s.cfg.Host, strconv.Itoa(s.cfg.Port)), err)
	}
	if err := c.SendWithSMTPClient(conn, msg); err != nil {
		_ = c.CloseWithSMTPClient(conn)
		if msg.IsDelivered() {
			// The server accepted it; what failed came after.
			s.log.Warn("mail delivered, but the SMTP conversation failed afterwards", "message_id", m.MessageID, "err", err)
			return nil
		}
		return err
	}
	if err := c.CloseWithSMTPClient(conn); err != nil {
		s.log.Warn("mail delivered, but closing the SMTP connection failed", "message_id", m.MessageID, "err", err)
	}
	return nil
}

// Permanent reports whether err is the SMTP server refusing the recipient
// for good (a 5xx reply to RCPT TO, such as "550 no such user"): trying
// again cannot help, so the message fails at once. Anything else — a
// server that is down, a 4xx, a refused login — is tried again later.
func Permanent(err error) bool {
	var se *gomail.SendError
	return errors.As(err, &se) && se.Reason == gomail.ErrSMTPRcptTo && !se.IsTemp() && se.ErrorCode() >= 500
}
