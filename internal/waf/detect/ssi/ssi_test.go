package ssi

import (
	"testing"

	"rampart/internal/waf/detect"
	"rampart/internal/waf/detect/detecttest"
)

func TestCorpusAttacks(t *testing.T) {
	ds := []detect.Detector{New()}
	for _, v := range detecttest.ReadLines(t, "testdata/attack.txt") {
		if !detecttest.Detected(ds, v) {
			_, ms := detecttest.Sum(ds[0], detect.Input{Value: v})
			t.Errorf("Detect(%q) = %+v, want a total >= 5 in some decoded variant", v, ms)
		}
	}
}

func TestCorpusBenign(t *testing.T) {
	ds := []detect.Detector{New()}
	for _, v := range detecttest.ReadLines(t, "testdata/benign.txt") {
		if detecttest.Detected(ds, v) {
			_, ms := detecttest.Sum(ds[0], detect.Input{Value: v})
			t.Errorf("Detect(%q) = %+v, want a total < 5 in every decoded variant", v, ms)
		}
	}
}

func TestDetect(t *testing.T) {
	tests := []struct {
		name, in string
		rule     string // "" means no paranoia-1 match
		para     int
	}{
		{"exec", `<!--#exec cmd="ls" -->`, ruleExec, 1},
		{"exec with spaces", "<!--#  exec\tcmd = 'id'-->", ruleExec, 1},
		{"include", `<!--#include virtual="/x"-->`, ruleDirective, 1},
		{"printenv", `<!--#printenv-->`, ruleDirective, 1},
		{"esi", `<esi:include src="/x"/>`, ruleESI, 1},
		{"directive without attribute", `<!--#exec-->`, ruleExec, 2},
		{"comment", `<!-- hello -->`, "", 0},
		{"region marker", `<!-- #region nav -->`, "", 0},
		{"longer word", `<!--#execute order-->`, "", 0},
	}
	d := New()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := detect.Input{Value: tt.in, Raw: tt.in, Kind: detect.KindForm}
			ms := d.Detect(&in, nil)
			if tt.rule == "" {
				if len(ms) != 0 {
					t.Errorf("Detect(%q) = %+v, want no match", tt.in, ms)
				}
				return
			}
			if len(ms) != 1 || ms[0].Rule != tt.rule || ms[0].Paranoia != tt.para || ms[0].Class != class {
				t.Errorf("Detect(%q) = %+v, want one %s at paranoia %d", tt.in, ms, tt.rule, tt.para)
			}
		})
	}
}
