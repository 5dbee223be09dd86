package crashtest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/personapal/personapal/internal/store"
)

// server is one run of `personapal serve` on a database file.
type server struct {
	cmd    *exec.Cmd
	base   string
	creds  map[string]string
	exited chan error
}

func buildBinary(t *testing.T) string {
	t.Helper()
	dir, _ := os.Getwd()
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found")
		}
		dir = parent
	}
	bin := filepath.Join(t.TempDir(), "personapal")
	build := exec.Command("go", "build", "-o", bin, "./cmd/personapal")
	build.Dir = dir
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func start(t *testing.T, bin, db string, demo bool) *server {
	t.Helper()
	args := []string{"serve", "--db", db, "--addr", "127.0.0.1:0", "--rate-limits=false"} // eight writers flat out on one token
	if demo {
		args = append(args, "--demo")
	}
	cmd := exec.Command(bin, args...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &server{cmd: cmd, creds: map[string]string{}, exited: make(chan error, 1)}
	go func() { s.exited <- cmd.Wait() }()
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	sc := bufio.NewScanner(out)
	deadline := time.Now().Add(60 * time.Second)
	for sc.Scan() && time.Now().Before(deadline) {
		k, v, ok := strings.Cut(sc.Text(), ": ")
		if ok {
			s.creds[k] = strings.TrimSpace(v)
		}
		if k == "url" {
			s.base = strings.TrimSuffix(s.creds["url"], "/")
			go func() { _, _ = io.Copy(io.Discard, out) }()
			return s
		}
	}
	t.Fatal("the server printed no url")
	return nil
}

func (s *server) post(token, path string, body any) (int, []byte, error) {
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", s.base+path, bytes.NewReader(b))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	res, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	return res.StatusCode, out, nil
}

// Every write acknowledged with a 2xx before a SIGKILL is there after a
// restart, and the database passes its integrity check.
func TestAcknowledgedWritesSurviveSIGKILL(t *testing.T) {
	bin := buildBinary(t)
	db := filepath.Join(t.TempDir(), "crash.db")
	s := start(t, bin, db, true)
	token, org := s.creds["token"], s.creds["org"]

	var (
		mu    sync.Mutex
		acked []string
		wg    sync.WaitGroup
	)
	ctx, cancel := context.WithCancel(context.Background())
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ctx.Err() == nil; i++ {
				body := fmt.Sprintf("crash note %d-%d", w, i)
				code, out, err := s.post(token, "/api/v1/orgs/"+org+"/notes", map[string]any{"body": body})
				if err != nil || code != 201 {
					continue // in flight when the server died: not acknowledged
				}
				var n struct {
					ID string `json:"id"`
				}
				if json.Unmarshal(out, &n) == nil && n.ID != "" {
					mu.Lock()
					acked = append(acked, n.ID)
					mu.Unlock()
				}
			}
		}()
	}
	for {
		mu.Lock()
		n := len(acked)
		mu.Unlock()
		if n >= 150 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := s.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-s.exited
	cancel()
	wg.Wait()

	// Restart on the same file: every acknowledged note is there.
	s2 := start(t, bin, db, false)
	req, _ := http.NewRequest("GET", s2.base+"/api/v1/orgs/"+org+"/notes", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var list struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	json.NewDecoder(res.Body).Decode(&list)
	res.Body.Close()
	have := map[string]bool{}
	for _, n := range list.Items {
		have[n.ID] = true
	}
	for _, id := range acked {
		if !have[id] {
			t.Fatalf("an acknowledged write is missing after the crash: %s (%d acknowledged, %d present)", id, len(acked), len(have))
		}
	}
	// SIGTERM drains and stops cleanly.
	if err := s2.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-s2.exited:
		var exit *exec.ExitError
		if err != nil && !errors.As(err, &exit) {
			t.Fatalf("after SIGTERM: %v", err)
		}
		if err != nil {
			t.Fatalf("SIGTERM did not stop cleanly: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("SIGTERM did not stop the server")
	}
	d, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := d.IntegrityCheck(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d writes acknowledged before SIGKILL, all present", len(acked))
}
