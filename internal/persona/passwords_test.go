package persona

import "testing"

func TestValidatePasswordRefusesCommonOnes(t *testing.T) {
	for _, p := range []string{"Password123", "1234567890", "QWERTYUIOP"} {
		if err := ValidatePassword(p); ErrorCode(err) != CodeInvalid {
			t.Errorf("%q accepted", p)
		}
	}
	if err := ValidatePassword("correct horse battery"); err != nil {
		t.Errorf("a good passphrase refused: %v", err)
	}
}
