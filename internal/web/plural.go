package web

import (
	"reflect"
	"strconv"
)

// pluralize (the template func "plural") is "1 divergence", "2 divergences", "0 divergences": the count and
// the noun that agrees with it. The count may be any integer (or a float
// that holds one); other values are read as zero.
func pluralize(count any, singular, pluralForm string) string {
	n := countOf(count)
	if n == 1 {
		return "1 " + singular
	}
	return strconv.FormatInt(n, 10) + " " + pluralForm
}

func countOf(v any) int64 {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rv.Int()
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return int64(rv.Uint())
	case reflect.Float32, reflect.Float64:
		return int64(rv.Float())
	}
	return 0
}
