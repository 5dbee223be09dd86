package server

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"

	"github.com/personapal/personapal/internal/web"
)

// ParseTrustedProxy reads a --trusted-proxy value: a CIDR prefix
// ("10.0.0.0/8", "fd00::/8") or a single address ("127.0.0.1", "::1").
func ParseTrustedProxy(s string) (netip.Prefix, error) {
	s = strings.TrimSpace(s)
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, fmt.Errorf("trusted proxy %q is not an address or CIDR prefix (such as 10.0.0.0/8)", s)
		}
		if p.Addr().Is4In6() {
			// ::ffff:10.0.0.0/104 means 10.0.0.0/8; peers are compared unmapped.
			if p.Bits() < 96 {
				return netip.Prefix{}, fmt.Errorf("trusted proxy %q: an IPv4-mapped prefix needs at least 96 bits", s)
			}
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("trusted proxy %q is not an address or CIDR prefix (such as 10.0.0.0/8)", s)
	}
	a = a.Unmap().WithZone("")
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// proxies decides which peers may speak for the client through
// X-Forwarded-For and X-Forwarded-Proto. With none configured (the default)
// those headers are ignored: anyone can send them.
type proxies []netip.Prefix

func (ps proxies) trusted(a netip.Addr) bool {
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// client is what the server believes about where a request came from.
type client struct {
	ip    netip.Addr // invalid only if RemoteAddr is unreadable (never with net/http's server)
	https bool
	// viaProxy is set when a trusted proxy's headers were honoured.
	viaProxy bool
}

type clientKey struct{}

// clientOf is r's client: as resolved through a trusted proxy, else the
// connection's own.
func clientOf(r *http.Request) client {
	if c, ok := r.Context().Value(clientKey{}).(client); ok {
		return c
	}
	return client{ip: peerAddr(r.RemoteAddr), https: r.TLS != nil}
}

// overHTTPS is clientOf(r).https without parsing the address.
func overHTTPS(r *http.Request) bool {
	if c, ok := r.Context().Value(clientKey{}).(client); ok {
		return c.https
	}
	return r.TLS != nil
}

// resolve works out the client of r. The peer is RemoteAddr. Only if the
// peer is a trusted proxy are its forwarding headers read: the client is
// the rightmost X-Forwarded-For address that is not itself a trusted proxy
// (everything left of it was written by the client and may be forged), and
// the scheme is the last X-Forwarded-Proto value (the nearest proxy's).
func (ps proxies) resolve(r *http.Request) client {
	c := client{ip: peerAddr(r.RemoteAddr), https: r.TLS != nil}
	if len(ps) == 0 || !c.ip.IsValid() || !ps.trusted(c.ip) {
		return c
	}
	hops := forwardedFor(r.Header.Values("X-Forwarded-For"))
	for i := len(hops) - 1; i >= 0; i-- {
		a, ok := parseHop(hops[i])
		if !ok {
			break // garbage from the far side: keep the last address we could vouch for
		}
		c.ip, c.viaProxy = a, true
		if !ps.trusted(a) {
			break
		}
	}
	if protos := forwardedFor(r.Header.Values("X-Forwarded-Proto")); len(protos) > 0 {
		c.viaProxy = true
		c.https = c.https || strings.EqualFold(protos[len(protos)-1], "https")
	}
	return c
}

// forwardedFor splits header lines into their comma-separated elements.
func forwardedFor(lines []string) []string {
	var out []string
	for _, l := range lines {
		for e := range strings.SplitSeq(l, ",") {
			if e = strings.TrimSpace(e); e != "" {
				out = append(out, e)
			}
		}
	}
	return out
}

// parseHop reads one X-Forwarded-For element: an address, possibly with a
// port ("192.0.2.1:4711", "[2001:db8::1]:4711").
func parseHop(s string) (netip.Addr, bool) {
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap().WithZone(""), true
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap().WithZone(""), true
	}
	if strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") {
		return parseHop(s[1 : len(s)-1])
	}
	return netip.Addr{}, false
}

func peerAddr(remote string) netip.Addr {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}
	}
	return a.Unmap().WithZone("")
}

// withClient records the client that a trusted proxy forwarded, for the
// rate limiter, the request log and the web application (Secure cookies,
// sign-in throttling per client address, absolute links). Requests that did
// not come through a trusted proxy carry nothing extra: their client is the
// connection's, which every reader falls back to.
func withClient(ps proxies, next http.Handler) http.Handler {
	if len(ps) == 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := ps.resolve(r)
		if !c.viaProxy {
			next.ServeHTTP(w, r)
			return
		}
		ctx := context.WithValue(r.Context(), clientKey{}, c)
		ctx = web.WithClient(ctx, web.Client{IP: c.ip.String(), HTTPS: c.https})
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}
