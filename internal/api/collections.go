package api

import (
	"encoding"
	"encoding/json"
	"reflect"
	"sync"

	"github.com/danielgtaylor/huma/v2"
)

// No list or object in an answer is ever null: the OpenAPI document types
// every array as an array and every map as an object (huma.DefaultArrayNullable
// is off), and a generated client relies on it. The sources make empty
// collections (the store reads an empty JSON column as an empty map, lists
// start empty); emptyCollections is the guarantee at the edge, for a nil
// slice or map that some path still produces. Nil pointers stay nil: they
// are the optional values, left out or documented as nullable.

// emptyCollections is a huma transformer: the body with every nil slice and
// map inside it replaced by an empty one.
func emptyCollections(_ huma.Context, _ string, v any) (any, error) {
	if v == nil {
		return v, nil
	}
	if out, changed := fillCollections(reflect.ValueOf(v)); changed {
		return out.Interface(), nil
	}
	return v, nil
}

var (
	jsonMarshaler = reflect.TypeFor[json.Marshaler]()
	textMarshaler = reflect.TypeFor[encoding.TextMarshaler]()
)

// fillCollections returns v with nil slices and maps replaced by empty ones,
// and whether anything changed. It copies what it changes (and the values
// that hold it) instead of writing into v, so values shared with other
// requests are never modified. Types with their own JSON encoding and
// fields JSON leaves out are not entered.
func fillCollections(v reflect.Value) (reflect.Value, bool) {
	t := v.Type()
	if t.Kind() != reflect.Pointer && t.Kind() != reflect.Interface && (t.Implements(jsonMarshaler) || t.Implements(textMarshaler)) {
		return v, false
	}
	switch t.Kind() {
	case reflect.Slice:
		if v.IsNil() {
			return reflect.MakeSlice(t, 0, 0), true
		}
		if t.Elem().Kind() == reflect.Uint8 || !mayHoldCollections(t.Elem()) {
			return v, false // bytes (base64 text), or elements without collections
		}
		var out reflect.Value
		for i := range v.Len() {
			nv, changed := fillCollections(v.Index(i))
			if !changed {
				continue
			}
			if !out.IsValid() {
				out = reflect.MakeSlice(t, v.Len(), v.Len())
				reflect.Copy(out, v)
			}
			out.Index(i).Set(nv)
		}
		if out.IsValid() {
			return out, true
		}
		return v, false
	case reflect.Array:
		if !mayHoldCollections(t.Elem()) {
			return v, false
		}
		var out reflect.Value
		for i := range v.Len() {
			nv, changed := fillCollections(v.Index(i))
			if !changed {
				continue
			}
			if !out.IsValid() {
				out = reflect.New(t).Elem()
				out.Set(v)
			}
			out.Index(i).Set(nv)
		}
		if out.IsValid() {
			return out, true
		}
		return v, false
	case reflect.Map:
		if v.IsNil() {
			return reflect.MakeMap(t), true
		}
		if !mayHoldCollections(t.Elem()) {
			return v, false
		}
		var out reflect.Value
		for it := v.MapRange(); it.Next(); {
			nv, changed := fillCollections(it.Value())
			if !changed {
				continue
			}
			if !out.IsValid() {
				out = reflect.MakeMapWithSize(t, v.Len())
				for it2 := v.MapRange(); it2.Next(); {
					out.SetMapIndex(it2.Key(), it2.Value())
				}
			}
			out.SetMapIndex(it.Key(), nv)
		}
		if out.IsValid() {
			return out, true
		}
		return v, false
	case reflect.Pointer:
		if v.IsNil() {
			return v, false
		}
		nv, changed := fillCollections(v.Elem())
		if !changed {
			return v, false
		}
		p := reflect.New(t.Elem())
		p.Elem().Set(nv)
		return p, true
	case reflect.Interface:
		if v.IsNil() {
			return v, false
		}
		// A nil slice or map inside an interface (a []string in a map of
		// values) is null too.
		nv, changed := fillCollections(v.Elem())
		if !changed {
			return v, false
		}
		out := reflect.New(t).Elem()
		out.Set(nv)
		return out, true
	case reflect.Struct:
		var out reflect.Value
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() || f.Tag.Get("json") == "-" || !mayHoldCollections(f.Type) {
				continue
			}
			nv, changed := fillCollections(v.Field(i))
			if !changed {
				continue
			}
			if !out.IsValid() {
				out = reflect.New(t).Elem()
				out.Set(v)
			}
			out.Field(i).Set(nv)
		}
		if out.IsValid() {
			return out, true
		}
		return v, false
	}
	return v, false
}

// mayHoldCollections reports whether a value of type t can be or contain a
// slice or map (interfaces may hold anything).
func mayHoldCollections(t reflect.Type) bool {
	if v, ok := holdsCache.Load(t); ok {
		return v.(bool)
	}
	v := mayHold(t, map[reflect.Type]bool{})
	holdsCache.Store(t, v)
	return v
}

var holdsCache sync.Map // reflect.Type → bool

func mayHold(t reflect.Type, seen map[reflect.Type]bool) bool {
	if seen[t] {
		return false // already being looked at higher up
	}
	seen[t] = true
	switch t.Kind() {
	case reflect.Slice, reflect.Map, reflect.Interface:
		return true
	case reflect.Pointer, reflect.Array:
		return mayHold(t.Elem(), seen)
	case reflect.Struct:
		for i := range t.NumField() {
			f := t.Field(i)
			if f.IsExported() && f.Tag.Get("json") != "-" && mayHold(f.Type, seen) {
				return true
			}
		}
	}
	return false
}
