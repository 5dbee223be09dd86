package interchange

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestBigCSVImport measures a large import (not run by default):
//
//	PERSONAPAL_BIG_ROWS=100000 [PERSONAPAL_BIG_WRITE=1] go test ./internal/interchange -run TestBigCSVImport -v
//
// It logs the time and the peak RSS (VmHWM); it asserts no timing.
func TestBigCSVImport(t *testing.T) {
	rows, _ := strconv.Atoi(os.Getenv("PERSONAPAL_BIG_ROWS"))
	if rows <= 0 {
		t.Skip("set PERSONAPAL_BIG_ROWS to run")
	}
	write := os.Getenv("PERSONAPAL_BIG_WRITE") == "1"
	svc := newSvc(t)
	path := filepath.Join(t.TempDir(), "big.csv")
	f, _ := os.Create(path)
	w := bufio.NewWriter(f)
	w.WriteString("Full name,Job title,Goals,Tech comfort,Bio,Tools\n")
	for i := 0; i < rows; i++ {
		fmt.Fprintf(w, "Person %d,Analyst %d,\"Goal one %d; Goal two; Goal three\",%d,\"A bio, with a comma, for person %d.\",Excel;SAP\n", i, i%50, i, 1+i%5, i)
	}
	w.Flush()
	st, _ := f.Stat()
	f.Close()
	start := time.Now()
	rep, err := run(t, svc, mappingFile(t, "users.map.yaml"), FormatCSV, fileOpen(path), !write)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d rows, %.1f MB file, write=%v: %d records, %d created in %s; peak RSS %s", rows, float64(st.Size())/1e6, write,
		rep.Records, rep.Created, time.Since(start).Round(time.Millisecond), vmHWM())
}

func vmHWM() string {
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "unknown"
	}
	for _, l := range strings.Split(string(raw), "\n") {
		if strings.HasPrefix(l, "VmHWM:") {
			return strings.TrimSpace(strings.TrimPrefix(l, "VmHWM:"))
		}
	}
	return "unknown"
}
