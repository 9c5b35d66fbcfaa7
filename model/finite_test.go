package model

import (
	"math"
	"reflect"
	"testing"
)

// setFloats sets every float64 reachable from v (fields, pointers, slice
// elements) to x, allocating nil pointers and one-element slices so that
// every field is reached.
func setFloats(v reflect.Value, x float64) {
	switch v.Kind() {
	case reflect.Float64:
		v.SetFloat(x)
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		setFloats(v.Elem(), x)
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				setFloats(v.Field(i), x)
			}
		}
	case reflect.Slice:
		if v.Len() == 0 {
			v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		}
		for i := range v.Len() {
			setFloats(v.Index(i), x)
		}
	}
}

// floats collects every float64 reachable from v with its path.
func floats(v reflect.Value, path string, out map[string]float64) {
	switch v.Kind() {
	case reflect.Float64:
		out[path] = v.Float()
	case reflect.Pointer:
		if !v.IsNil() {
			floats(v.Elem(), path, out)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				floats(v.Field(i), path+"."+v.Type().Field(i).Name, out)
			}
		}
	case reflect.Slice:
		for i := range v.Len() {
			floats(v.Index(i), path+"[]", out)
		}
	}
}

// TestScoreFiniteCoversEveryFloat sets every float of a Score to NaN (and
// then +Inf) by reflection: Finite must clear them all, so a float field
// added to Score later cannot slip through to the store.
func TestScoreFiniteCoversEveryFloat(t *testing.T) {
	for _, bad := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		var s Score
		setFloats(reflect.ValueOf(&s).Elem(), bad)
		got := map[string]float64{}
		floats(reflect.ValueOf(s.Finite()), "Score", got)
		if len(got) < 14 {
			t.Fatalf("only %d floats reached: %v", len(got), got)
		}
		for path, f := range got {
			if math.IsNaN(f) || math.IsInf(f, 0) {
				t.Errorf("%s stays %v after Finite", path, f)
			}
		}
		// The input is untouched (no shared pointer or slice).
		before := map[string]float64{}
		floats(reflect.ValueOf(s), "Score", before)
		for path, f := range before {
			if !math.IsNaN(f) && !math.IsInf(f, 0) {
				t.Errorf("Finite changed its input at %s", path)
			}
		}
	}
}
