// Package webhook sends webhook requests: signed per the Standard Webhooks
// specification and through an HTTP client that refuses to connect to
// loopback, private, link-local and other special addresses (SSRF). The
// address is checked when the connection is made, on the resolved IP (a
// net.Dialer Control function), so a name that resolves differently later
// (DNS rebinding) cannot get past it; redirects are not followed.
package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Timeout bounds one request, response included.
const Timeout = 10 * time.Second

// maxResponse is how much of a response is kept for the attempt log.
const maxResponse = 1024

// Sign returns the webhook-signature header value for a message: "v1,"
// and the base64 HMAC-SHA256 of "{id}.{timestamp}.{body}" keyed with the
// secret's decoded bytes (the part after "whsec_").
func Sign(secret, msgID string, at time.Time, body []byte) (string, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		return "", fmt.Errorf("webhook secret: %w", err)
	}
	m := hmac.New(sha256.New, key)
	fmt.Fprintf(m, "%s.%d.", msgID, at.Unix())
	m.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(m.Sum(nil)), nil
}

// ErrRefused is returned when the destination address is not allowed.
var ErrRefused = errors.New("refused: the address is loopback, private or otherwise not public")

// special lists the ranges a public endpoint is never in, beyond what
// netip's predicates cover.
var special = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"), // carrier-grade NAT
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("192.0.2.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("198.51.100.0/24"),
	netip.MustParsePrefix("203.0.113.0/24"),
	netip.MustParsePrefix("240.0.0.0/4"),  // reserved, broadcast
	netip.MustParsePrefix("64:ff9b::/96"), // NAT64 reaches IPv4 inside
	netip.MustParsePrefix("64:ff9b:1::/48"),
	netip.MustParsePrefix("2001:db8::/32"),
	netip.MustParsePrefix("2002::/16"), // 6to4
	netip.MustParsePrefix("100::/64"),
}

// Public reports whether ip is an address webhooks may reach.
func Public(ip netip.Addr) bool {
	ip = ip.Unmap()
	if !ip.IsValid() || ip.IsLoopback() || ip.IsPrivate() || ip.IsUnspecified() || ip.IsMulticast() ||
		ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() || ip.IsInterfaceLocalMulticast() {
		return false
	}
	for _, p := range special {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}

// Client sends webhook requests.
type Client struct {
	http *http.Client
}

// NewClient returns a client; allowPrivate lifts the address check
// (--webhooks-allow-private).
func NewClient(allowPrivate bool) *Client {
	d := &net.Dialer{Timeout: Timeout}
	if !allowPrivate {
		d.Control = func(_, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil || !Public(ap.Addr()) {
				return fmt.Errorf("%w (%s)", ErrRefused, address)
			}
			return nil
		}
	}
	tr := &http.Transport{Proxy: nil, DialContext: d.DialContext, TLSHandshakeTimeout: Timeout,
		ResponseHeaderTimeout: Timeout, MaxIdleConnsPerHost: 2, IdleConnTimeout: time.Minute}
	return &Client{http: &http.Client{Transport: tr, Timeout: Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// Send implements app.WebhookSender.
func (c *Client) Send(ctx context.Context, url, secret, msgID string, at time.Time, body []byte) (int, string, error) {
	sig, err := Sign(secret, msgID, at, body)
	if err != nil {
		return 0, "", err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "PersonaPal-Webhooks/1")
	req.Header.Set("webhook-id", msgID)
	req.Header.Set("webhook-timestamp", strconv.FormatInt(at.Unix(), 10))
	req.Header.Set("webhook-signature", sig)
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, strings.ToValidUTF8(string(b), ""), nil
}

// resolveTimeout bounds the look-up CheckHost makes.
const resolveTimeout = 3 * time.Second

// CheckHost refuses, at registration, a host that is or resolves to an
// address that is not public. It is advice to the person typing the URL:
// the dialer checks every connection again (a name may resolve otherwise
// later), so a name that does not resolve now is let through.
func CheckHost(ctx context.Context, host string) error {
	h := strings.TrimSuffix(strings.ToLower(host), ".")
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return ErrRefused
	}
	if ip, err := netip.ParseAddr(strings.Trim(h, "[]")); err == nil {
		if !Public(ip) {
			return ErrRefused
		}
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, resolveTimeout)
	defer cancel()
	addrs, err := net.DefaultResolver.LookupNetIP(ctx, "ip", h)
	if err != nil {
		return nil
	}
	for _, a := range addrs {
		if !Public(a) {
			return ErrRefused
		}
	}
	return nil
}
