package jndi

import "rampart/internal/waf/detect/detecttest"

// The corpus and data-set helpers are shared by the detector packages.
var (
	readCorpus = detecttest.ReadCorpus
	score      = detecttest.Score
	caught     = detecttest.Caught
	measure    = detecttest.Measure
)
