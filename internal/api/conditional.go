package api

import "strings"

// NoneMatchHolds reports whether an If-None-Match header names etag, by
// the weak comparison GET uses (RFC 9110 §13.1.2): "*" or any listed
// entity tag equal to it once W/ is set aside.
func NoneMatchHolds(header, etag string) bool {
	if header == "" || etag == "" {
		return false
	}
	etag = strings.TrimPrefix(etag, "W/")
	for t := range strings.SplitSeq(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == etag {
			return true
		}
	}
	return false
}
