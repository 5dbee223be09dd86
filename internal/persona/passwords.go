package persona

import "strings"

// commonPasswords are passwords of policy length that appear near the top of
// every leaked-password list; they are refused whatever their length.
var commonPasswords = map[string]bool{}

func init() {
	for _, p := range strings.Fields(`
		1234567890 0123456789 12345678910 1234567891 0987654321 1111111111 0000000000 1122334455
		password12 password123 password1234 passw0rd123 password!1 p@ssw0rd123 password01
		qwertyuiop qwerty1234 qwerty12345 qwerty123456 1q2w3e4r5t 1qaz2wsx3edc qazwsxedc123 asdfghjkl1
		iloveyou12 iloveyou123 letmein123 welcome123 welcome1234 sunshine12 princess12 football12
		baseball12 superman12 dragon1234 monkey1234 changeme123 administrator admin12345 admin123456
		abcdefghij abc1234567 abcd123456 zaq12wsxcde trustno1234 starwars12 whatever12 computer12
		personapal personapal1 personapal123`) {
		commonPasswords[p] = true
	}
}

// IsCommonPassword reports whether s (case-insensitively) is a well-known
// password.
func IsCommonPassword(s string) bool { return commonPasswords[strings.ToLower(s)] }
