package config

import (
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// Diff returns the sorted dotted keys whose values differ between old and
// new, never the values. Routes are named by name, as in
// routes[app].upstreams; an added or removed route is one key, routes[app].
// A list is one key (trusted_proxies, routes[app].hosts).
func Diff(old, new *Config) []string {
	a, b := flatten(old), flatten(new)
	var keys []string
	for k, va := range a {
		if vb, ok := b[k]; !ok || va != vb {
			keys = append(keys, k)
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	// Keys inside a route that exists on one side only are covered by the
	// route's own key.
	out := keys[:0]
	for _, k := range keys {
		if r, _, inRoute := strings.Cut(k, "]."); inRoute && strings.HasPrefix(k, "routes[") {
			route := r + "]"
			_, inA := a[route]
			_, inB := b[route]
			if !inA || !inB {
				continue
			}
		}
		out = append(out, k)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// flatten maps each leaf key of c to a comparable form of its value.
// Secret values are compared by content but never leave this package.
func flatten(c *Config) map[string]string {
	m := map[string]string{}
	if c == nil {
		return m
	}
	flattenValue(reflect.ValueOf(*c), "", m)
	for i, r := range c.Routes {
		id := r.Name
		// A name from a secret must not appear in the output, nor an
		// unusable one; such routes are named by index.
		if id == "" || c.Secrets[fmt.Sprintf("routes[%d].name", i)] || strings.ContainsAny(id, "[].") {
			id = fmt.Sprintf("#%d", i)
		}
		key := "routes[" + id + "]"
		m[key] = ""
		flattenValue(reflect.ValueOf(r), key, m)
	}
	return m
}

func flattenValue(v reflect.Value, key string, m map[string]string) {
	if v.Kind() == reflect.Struct {
		t := v.Type()
		for _, f := range structFields(t) {
			if t.Field(f.index).Type == routesType {
				continue
			}
			flattenValue(v.Field(f.index), joinKey(key, f.name), m)
		}
		return
	}
	m[key] = leaf(v)
}

func leaf(v reflect.Value) string {
	switch v.Kind() {
	case reflect.String:
		return strconv.Quote(v.String())
	case reflect.Bool:
		return strconv.FormatBool(v.Bool())
	case reflect.Int, reflect.Int64:
		return strconv.FormatInt(v.Int(), 10)
	case reflect.Pointer:
		if v.IsNil() {
			return "nil"
		}
		return "&" + leaf(v.Elem())
	case reflect.Slice:
		parts := make([]string, v.Len())
		for i := range parts {
			parts[i] = leaf(v.Index(i))
		}
		return "[" + strings.Join(parts, ",") + "]"
	}
	return fmt.Sprintf("%#v", v.Interface())
}
