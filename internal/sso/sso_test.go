package sso

import (
	"encoding/json"
	"testing"
)

// email_verified is believed only when it is true (some providers send
// the string "true"); anything else, or nothing, is not verified.
func TestEmailVerifiedClaim(t *testing.T) {
	for raw, want := range map[string]bool{`true`: true, `"true"`: true, `"TRUE"`: true, `false`: false, `"false"`: false,
		`"yes"`: false, `1`: false, `null`: false, ``: false, `{"x":1}`: false} {
		if got := truthy(json.RawMessage(raw)); got != want {
			t.Errorf("email_verified %s: %v, want %v", raw, got, want)
		}
	}
}

// The issuer must be https, or http on a loopback address only.
func TestIssuerChecks(t *testing.T) {
	for issuer, ok := range map[string]bool{
		"https://login.example.com": true, "https://login.example.com/realms/x/": true, "http://127.0.0.1:9998/": true,
		"http://localhost:8080": true, "http://[::1]:9998": true,
		"http://login.example.com": false, "ftp://login.example.com": false, "login.example.com": false,
		"https://user:pw@login.example.com": false, "https://login.example.com/?x=1": false, "": false,
	} {
		if err := checkIssuer(issuer); (err == nil) != ok {
			t.Errorf("%q: %v, want ok=%v", issuer, err, ok)
		}
	}
}
