package webhook

import (
	"errors"
	"net/netip"
	"testing"
	"time"
)

// The Standard Webhooks specification's own example: this secret, message
// and body sign to this value.
func TestSignMatchesTheStandardWebhooksExample(t *testing.T) {
	got, err := Sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek",
		time.Unix(1614265330, 0), []byte(`{"test": 2432232314}`))
	if err != nil || got != "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=" {
		t.Fatalf("got %q, %v", got, err)
	}
	if _, err := Sign("whsec_not base64!", "m", time.Now(), nil); err == nil {
		t.Fatal("a bad secret signed")
	}
}

func TestOnlyPublicAddressesArePublic(t *testing.T) {
	for addr, want := range map[string]bool{
		"93.184.215.14": true, "2606:2800:21f:cb07:6820:80da:af6b:8b2c": true, "8.8.8.8": true,
		"127.0.0.1": false, "127.8.9.1": false, "::1": false, "10.1.2.3": false, "172.16.0.1": false, "192.168.1.1": false,
		"169.254.169.254": false, "fe80::1": false, "fc00::1": false, "0.0.0.0": false, "100.64.0.1": false,
		"::ffff:127.0.0.1": false, "::ffff:10.0.0.1": false, "224.0.0.1": false, "255.255.255.255": false,
		"192.0.2.1": false, "64:ff9b::7f00:1": false, "2002:7f00:1::": false,
	} {
		if got := Public(netip.MustParseAddr(addr)); got != want {
			t.Errorf("Public(%s) = %v, want %v", addr, got, want)
		}
	}
}

func TestCheckHostRefusesLoopbackNamesAndLiterals(t *testing.T) {
	for _, h := range []string{"localhost", "LOCALHOST.", "api.localhost", "127.0.0.1", "[::1]", "10.0.0.1", "169.254.169.254"} {
		if err := CheckHost(t.Context(), h); !errors.Is(err, ErrRefused) {
			t.Errorf("%s: %v, want refused", h, err)
		}
	}
	// A public literal, and a name that resolves to nothing now (the
	// dialer checks it again when it connects).
	for _, h := range []string{"93.184.215.14", "hooks.example.invalid"} {
		if err := CheckHost(t.Context(), h); err != nil {
			t.Errorf("%s: %v", h, err)
		}
	}
}
