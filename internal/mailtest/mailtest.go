// Package mailtest is a real SMTP server for tests (emersion/go-smtp),
// started in-process on 127.0.0.1:0: optionally STARTTLS with a
// self-signed certificate and AUTH PLAIN, recording every message it
// accepted. It can refuse recipients, or hold a conversation until told
// to go on (a test then kills the sender in the middle of sending).
package mailtest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Options configure a Server.
type Options struct {
	// STARTTLS offers STARTTLS with a self-signed certificate for
	// 127.0.0.1 and localhost (CAFile holds it).
	STARTTLS bool
	// ImplicitTLS speaks TLS from the first byte (smtps://) with the same
	// kind of certificate.
	ImplicitTLS bool
	// Username and Password, when set, make AUTH PLAIN required before
	// MAIL FROM (offered only after STARTTLS when STARTTLS is on).
	Username, Password string
}

// Message is one message the server accepted.
type Message struct {
	From      string
	To        []string
	Raw       []byte
	Header    mail.Header
	Subject   string
	MessageID string
	// Text and HTML are the decoded text/plain and text/html parts.
	Text, HTML string
	// TLS and Auth say whether the session used STARTTLS and logged in.
	TLS, Auth bool
}

// Server is a running SMTP server.
type Server struct {
	Host string
	Port int
	// CAFile is the PEM certificate to trust (STARTTLS).
	CAFile string

	opts Options
	srv  *smtp.Server

	mu       sync.Mutex
	changed  chan struct{} // closed and replaced on every change
	messages []Message
	// rejectRcpt refuses the next n recipients with code.
	rejectN, rejectCode int
	// holding makes RCPT (holdData: DATA) wait until Release.
	holding  bool
	holdData bool
	release  chan struct{}
	held     int
	sessions int
	attempts int // RCPT commands seen
}

// Start starts a server; it is closed when the test ends.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	s := &Server{opts: opts, changed: make(chan struct{}), release: make(chan struct{})}
	srv := smtp.NewServer(&backend{s})
	srv.Domain = "localhost"
	srv.ReadTimeout = 30 * time.Second
	srv.WriteTimeout = 30 * time.Second
	srv.MaxMessageBytes = 10 << 20
	srv.MaxRecipients = 10
	srv.AllowInsecureAuth = !opts.STARTTLS && !opts.ImplicitTLS
	if opts.STARTTLS || opts.ImplicitTLS {
		cert, pemBytes, err := selfSigned()
		if err != nil {
			t.Fatal(err)
		}
		s.CAFile = filepath.Join(t.TempDir(), "smtp-ca.pem")
		if err := os.WriteFile(s.CAFile, pemBytes, 0o600); err != nil {
			t.Fatal(err)
		}
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().(*net.TCPAddr)
	if opts.ImplicitTLS {
		ln = tls.NewListener(ln, srv.TLSConfig)
		srv.TLSConfig = nil // no STARTTLS inside TLS
	}
	s.Host, s.Port, s.srv = "127.0.0.1", addr.Port, srv
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() {
		s.Release()
		_ = srv.Close()
	})
	return s
}

// URL is the --smtp-url that reaches this server.
func (s *Server) URL() string {
	u := url.URL{Scheme: "smtp", Host: net.JoinHostPort(s.Host, strconv.Itoa(s.Port))}
	if s.opts.ImplicitTLS {
		u.Scheme = "smtps"
	}
	if s.opts.Username != "" {
		u.User = url.UserPassword(s.opts.Username, s.opts.Password)
	}
	if !s.opts.STARTTLS && !s.opts.ImplicitTLS {
		u.RawQuery = "starttls=none"
	}
	return u.String()
}

// Close stops the server (connections are refused from then on: a server
// that is down).
func (s *Server) Close() { _ = s.srv.Close() }

// RejectRecipients refuses the next n recipients with the SMTP code (451:
// try later; 550: no such user).
func (s *Server) RejectRecipients(n, code int) {
	s.mu.Lock()
	s.rejectN, s.rejectCode = n, code
	s.mu.Unlock()
}

// Hold makes every RCPT TO wait, unanswered, until Release: the client is
// in the middle of sending and has not sent the message yet, so one
// killed meanwhile delivers nothing.
func (s *Server) Hold() { s.hold(false) }

// HoldData makes DATA wait before reading the message, until Release: a
// client has sent the whole message and waits for the reply. One killed
// meanwhile has still delivered it (the server reads it from the
// connection afterwards) without learning so — the window in which a
// message is delivered twice.
func (s *Server) HoldData() { s.hold(true) }

func (s *Server) hold(data bool) {
	s.mu.Lock()
	s.holding, s.holdData = true, data
	s.release = make(chan struct{})
	s.mu.Unlock()
}

// wait blocks while the server holds commands at this step (s.mu held).
func (s *Server) wait(data bool) {
	if !s.holding || s.holdData != data {
		return
	}
	s.held++
	s.notify()
	rel := s.release
	s.mu.Unlock()
	<-rel
	s.mu.Lock()
	s.held--
	s.notify()
}

// Release lets held messages go on.
func (s *Server) Release() {
	s.mu.Lock()
	if s.holding {
		s.holding = false
		close(s.release)
	}
	s.mu.Unlock()
}

// Messages returns what the server accepted so far.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.messages...)
}

// Attempts is the number of RCPT commands seen (accepted or not).
func (s *Server) Attempts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.attempts
}

// WaitUntil waits until cond holds on the server's state, or fails the
// test after timeout saying what it waited for.
func (s *Server) WaitUntil(t testing.TB, timeout time.Duration, what string, cond func(*Server) bool) {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		ch := s.changed
		s.mu.Unlock()
		if cond(s) {
			return
		}
		select {
		case <-ch:
		case <-time.After(200 * time.Millisecond):
		case <-deadline.C:
			t.Fatalf("SMTP server: waited %s for %s; it accepted %d messages (%d recipients tried)", timeout, what, len(s.Messages()), s.Attempts())
		}
	}
}

// WaitFor waits for a message to addr and returns the first one.
func (s *Server) WaitFor(t testing.TB, addr string, timeout time.Duration) Message {
	t.Helper()
	var got Message
	s.WaitUntil(t, timeout, "a message to "+addr, func(s *Server) bool {
		for _, m := range s.Messages() {
			for _, to := range m.To {
				if strings.EqualFold(to, addr) {
					got = m
					return true
				}
			}
		}
		return false
	})
	return got
}

// Held is the number of sessions waiting in a held command now.
func (s *Server) Held() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.held
}

func (s *Server) notify() {
	close(s.changed)
	s.changed = make(chan struct{})
}

var linkRE = regexp.MustCompile(`https?://[^\s<>"]+`)

// FirstLink returns the first http(s) link in the message's plain text.
func FirstLink(m Message) string {
	return linkRE.FindString(m.Text)
}

// Links returns every http(s) link in the message's plain text.
func Links(m Message) []string { return linkRE.FindAllString(m.Text, -1) }

type backend struct{ s *Server }

func (b *backend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	b.s.mu.Lock()
	b.s.sessions++
	b.s.mu.Unlock()
	return &session{s: b.s, conn: c}, nil
}

type session struct {
	s    *Server
	conn *smtp.Conn
	from string
	to   []string
	auth bool
}

func (ss *session) AuthMechanisms() []string {
	if ss.s.opts.Username == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (ss *session) Auth(mech string) (sasl.Server, error) {
	if mech != sasl.Plain {
		return nil, smtp.ErrAuthUnknownMechanism
	}
	return sasl.NewPlainServer(func(identity, username, password string) error {
		if username != ss.s.opts.Username || password != ss.s.opts.Password {
			return smtp.ErrAuthFailed
		}
		ss.auth = true
		return nil
	}), nil
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	if ss.s.opts.Username != "" && !ss.auth {
		return smtp.ErrAuthRequired
	}
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s := ss.s
	s.mu.Lock()
	defer s.mu.Unlock()
	s.attempts++
	s.notify()
	s.wait(false)
	if s.rejectN > 0 {
		s.rejectN--
		code := s.rejectCode
		enh := smtp.EnhancedCode{4, 2, 0}
		msg := "mailbox busy, try again later"
		if code >= 500 {
			enh, msg = smtp.EnhancedCode{5, 1, 1}, "no such user here"
		}
		return &smtp.SMTPError{Code: code, EnhancedCode: enh, Message: msg}
	}
	ss.to = append(ss.to, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	s := ss.s
	s.mu.Lock()
	s.wait(true)
	s.mu.Unlock()
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m, err := parse(raw)
	if err != nil {
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "unreadable message: " + err.Error()}
	}
	_, m.TLS = ss.conn.TLSConnectionState()
	m.From, m.To, m.Auth = ss.from, append([]string(nil), ss.to...), ss.auth
	s.mu.Lock()
	s.messages = append(s.messages, m)
	s.notify()
	s.mu.Unlock()
	return nil
}

func (ss *session) Reset()        { ss.from, ss.to = "", nil }
func (ss *session) Logout() error { return nil }

// parse reads a message and decodes its text and HTML parts.
func parse(raw []byte) (Message, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return Message{}, err
	}
	dec := new(mime.WordDecoder)
	subject, err := dec.DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		return Message{}, err
	}
	m := Message{Raw: raw, Header: msg.Header, Subject: subject, MessageID: msg.Header.Get("Message-ID")}
	if err := walk(msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body, &m); err != nil {
		return Message{}, err
	}
	return m, nil
}

func walk(contentType, encoding string, body io.Reader, m *Message) error {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		mt = "text/plain"
	}
	if strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return err
			}
			if err := walk(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p, m); err != nil {
				return err
			}
		}
	}
	switch strings.ToLower(encoding) {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, &newlineStripper{r: body})
	}
	b, err := io.ReadAll(body)
	if err != nil {
		return fmt.Errorf("%s part: %w", mt, err)
	}
	switch mt {
	case "text/plain":
		m.Text = strings.ReplaceAll(string(b), "\r\n", "\n")
	case "text/html":
		m.HTML = string(b)
	}
	return nil
}

type newlineStripper struct{ r io.Reader }

func (n *newlineStripper) Read(p []byte) (int, error) {
	k, err := n.r.Read(p)
	j := 0
	for _, c := range p[:k] {
		if c != '\r' && c != '\n' {
			p[j] = c
			j++
		}
	}
	return j, err
}

// selfSigned makes a certificate for 127.0.0.1 and localhost.
func selfSigned() (tls.Certificate, []byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	tpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: "mailtest"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pemBytes, nil
}
