package web

import (
	"io"
	"net/http"
	"unicode/utf8"
)

// uploadProblem is what is wrong with an uploaded text file.
type uploadProblem int

const (
	uploadOK       uploadProblem = iota
	uploadNoFile                 // no file, or several
	uploadTooLarge               // more than the limit
	uploadNotText                // not UTF-8
)

// uploadedText reads the one file of a parsed multipart form's part as
// text of at most max bytes (the import wizard, the organisation import);
// each caller words the problems for its own page.
func uploadedText(r *http.Request, part string, max int64) (text, name string, problem uploadProblem, err error) {
	files := r.MultipartForm.File[part]
	if len(files) != 1 {
		return "", "", uploadNoFile, nil
	}
	f, err := files[0].Open()
	if err != nil {
		return "", "", uploadOK, err
	}
	raw, err := io.ReadAll(io.LimitReader(f, max+1))
	f.Close()
	switch {
	case err != nil:
		return "", "", uploadOK, err
	case int64(len(raw)) > max:
		return "", "", uploadTooLarge, nil
	case !utf8.Valid(raw):
		return "", "", uploadNotText, nil
	}
	return string(raw), files[0].Filename, uploadOK, nil
}
