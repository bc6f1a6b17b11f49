package dataset

import "testing"

func TestLoad(t *testing.T) {
	dir, err := Dir()
	if err != nil {
		t.Skipf("data sets not found: %v", err)
	}
	hp, err := HTTPParams(dir)
	if err != nil {
		t.Fatal(err)
	}
	gw, err := GoTestWAF(dir)
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, s := range append(hp, gw...) {
		count[s.Set+"/"+s.Class]++
		if s.Payload == "" && s.Set == "httpparams" {
			t.Errorf("empty payload in %s", s.Source)
		}
	}
	if count["httpparams/benign"] != 19304 || count["httpparams/sqli"] != 10852 {
		t.Errorf("httpparams counts = %v", count)
	}
	if count["gotestwaf/benign"] == 0 || count["gotestwaf/sqli"] == 0 || count["gotestwaf/xss"] == 0 {
		t.Errorf("gotestwaf counts = %v", count)
	}
	t.Logf("%v", count)
}
