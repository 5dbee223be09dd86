package persona

import "testing"

func TestFoldSearch(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Reconciliation", "reconciliation"},
		{"Łódź", "lodz"},
		{"Nguyễn Thị Minh", "nguyen thi minh"},
		{"Société Générale", "societe generale"},
		{"Straße ẞ", "strasse ss"},
		{"Æbeltoft Øster Đakovo Þór", "aebeltoft oster dakovo thor"},
		{"İstanbul ılık", "istanbul ilik"},
		{"Αθήνα ΟΔΥΣΣΕΥΣ", "αθηνα οδυσσευσ"},
		{"Ольга Смирнова", "ольга смирнова"},
		{"йод Ёлка", "йод ёлка"},              // Cyrillic letters keep their marks
		{"がっこう ガッコウ", "がっこう ガッコウ"},            // so do kana
		{"ｆｕｌｌ ﬁle x²", "full file x2"},       // compatibility forms
		{"شَمْس", "شمس"}, {"שָׁלוֹם", "שלום"}, // vowel points
		{"e\u0301", "e"}, {"é", "e"}, // composed or not
		{"王芳", "王芳"}, {"한국어", "한국어"},
	}
	for _, tt := range tests {
		if got := FoldSearch(tt.in); got != tt.want {
			t.Errorf("FoldSearch(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if again := FoldSearch(FoldSearch(tt.in)); again != FoldSearch(tt.in) {
			t.Errorf("FoldSearch is not idempotent on %q: %q", tt.in, again)
		}
	}
}

func TestNameKey(t *testing.T) {
	same := [][2]string{
		{"Anna  Nowak", "ANNA NOWAK"}, {" Ольга Смирнова ", "ОЛЬГА СМИРНОВА"}, {"Straße", "STRASSE"},
		{"e\u0301cole", "école"}, {"Ｗang", "wang"}, {"ΣΊΣΥΦΟΣ", "σίσυφος"},
	}
	for _, p := range same {
		if NameKey(p[0]) != NameKey(p[1]) {
			t.Errorf("%q and %q are not the same name: %q %q", p[0], p[1], NameKey(p[0]), NameKey(p[1]))
		}
	}
	different := [][2]string{
		{"王芳", "李娜"}, {"Ольга Смирнова", "Мария Иванова"}, {"山田太郎", "田中花子"}, {"Łukasz", "Lukasz"},
		{"محمد", "أحمد"}, {"שרה", "רחל"}, {"Nguyễn", "Nguyen"},
	}
	for _, p := range different {
		if NameKey(p[0]) == NameKey(p[1]) {
			t.Errorf("%q and %q are the same name", p[0], p[1])
		}
	}
}
