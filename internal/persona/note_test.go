package persona

import "testing"

func TestValidateNoteBody(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"  **Hello**\r\nworld ", "**Hello**\nworld", true},
		{"   ", "", false},
		{"a\x00b", "", false},
		{string(make([]rune, MaxNoteLength+1)), "", false},
	}
	for _, tc := range tests {
		got, err := ValidateNoteBody(tc.in)
		if (err == nil) != tc.ok {
			t.Errorf("%q: err %v", tc.in, err)
			continue
		}
		if tc.ok && got != tc.want {
			t.Errorf("%q: got %q", tc.in, got)
		}
		if !tc.ok && ErrorCode(err) != CodeInvalid {
			t.Errorf("%q: code %q", tc.in, ErrorCode(err))
		}
	}
	if !NoteOnVariant.Valid() || NoteTarget("evidence").Valid() {
		t.Error("note targets")
	}
}
