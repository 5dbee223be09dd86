package server

import (
	"net/http"

	"github.com/personapal/personapal/internal/api"
)

// notModified answers 304 Not Modified to a GET or HEAD whose
// If-None-Match names the ETag its answer carries (RFC 9110 §13.1.2): the
// answer's headers go out with status 304 and its body is dropped. It
// covers every route that sets an ETag (personas, variants, Launchpads,
// the catalogue, photos and evidence files, pages); routes that can tell
// cheaper (get-persona reads only the revision) answer 304 themselves.
func notModified(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		inm := r.Header.Get("If-None-Match")
		if inm == "" || (r.Method != http.MethodGet && r.Method != http.MethodHead) {
			next.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(&notModifiedWriter{ResponseWriter: w, inm: inm}, r)
	})
}

type notModifiedWriter struct {
	http.ResponseWriter
	inm           string
	wrote, unsent bool
}

func (w *notModifiedWriter) WriteHeader(code int) {
	if w.wrote {
		w.ResponseWriter.WriteHeader(code) // net/http logs the superfluous call
		return
	}
	w.wrote = true
	h := w.Header()
	if (code == http.StatusOK || code == http.StatusNotModified) && api.NoneMatchHolds(w.inm, h.Get("ETag")) {
		// A 304 carries the validators and caching headers, not the
		// body's description.
		for _, k := range []string{"Content-Type", "Content-Length", "Content-Encoding", "Content-Disposition"} {
			h.Del(k)
		}
		w.unsent = true
		code = http.StatusNotModified
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *notModifiedWriter) Write(b []byte) (int, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	if w.unsent {
		return len(b), nil
	}
	return w.ResponseWriter.Write(b)
}

// Flush passes flushes on (streamed exports, SSE) unless the body is dropped.
func (w *notModifiedWriter) Flush() {
	if w.unsent {
		return
	}
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the connection.
func (w *notModifiedWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
