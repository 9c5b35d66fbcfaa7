package model

import (
	"reflect"
	"testing"
)

// TestPlatformStatsAddSumsEveryCounter sets every integer field of
// PlatformStats by reflection, so a counter added to the struct later and
// forgotten in Add fails here.
func TestPlatformStatsAddSumsEveryCounter(t *testing.T) {
	var one PlatformStats
	v := reflect.ValueOf(&one).Elem()
	for i := range v.NumField() {
		if f := v.Field(i); f.CanInt() {
			f.SetInt(int64(i + 1))
		}
	}
	one.ByStatus = map[string]int64{"200": 3}
	one.Paused, one.RequestsPerScored = "quota", 2.5

	var sum PlatformStats
	sum.Add(one)
	sum.Add(one)
	got := reflect.ValueOf(sum)
	for i := range got.NumField() {
		if f := got.Field(i); f.CanInt() && f.Int() != 2*int64(i+1) {
			t.Errorf("%s = %d after adding %d twice", got.Type().Field(i).Name, f.Int(), i+1)
		}
	}
	if sum.ByStatus["200"] != 6 {
		t.Errorf("ByStatus[200] = %d, want 6", sum.ByStatus["200"])
	}
	if sum.Paused != "" || sum.RequestsPerScored != 0 {
		t.Errorf("Add changed the non-counters: %q, %v", sum.Paused, sum.RequestsPerScored)
	}
}
