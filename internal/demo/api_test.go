package demo

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
)

var jsonBody = http.Header{"Content-Type": {"application/json"}}

func TestListProducts(t *testing.T) {
	a := newTestApp(t)
	w := serve(t, a, "GET", "/api/products", nil, nil)
	var got []product
	if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
		t.Fatalf("GET /api/products: %v; body:\n%s", err, w.Body)
	}
	if len(got) != len(products) {
		t.Fatalf("GET /api/products: %d products, want %d", len(got), len(products))
	}
	if got[0] != products[0] {
		t.Errorf("GET /api/products: first is %+v, want %+v", got[0], products[0])
	}
}

func TestGetProduct(t *testing.T) {
	a := newTestApp(t)
	tests := []struct {
		id     string
		status int
		want   string
	}{
		{"3", 200, `"name":"Moat Water Bottle"`},
		{"8", 200, `"price_cents":6400`},
		{"0", 404, `{"error":"product not found"}`},
		{"999", 404, `{"error":"product not found"}`},
		{"-1", 404, `{"error":"product not found"}`},
		{"abc", 404, `{"error":"product not found"}`},
		{"99999999999999999999", 404, `{"error":"product not found"}`},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			w := serve(t, a, "GET", "/api/products/"+tt.id, nil, nil)
			if w.Code != tt.status {
				t.Fatalf("GET /api/products/%s: status %d, want %d", tt.id, w.Code, tt.status)
			}
			if ct := w.Header().Get("Content-Type"); ct != "application/json" {
				t.Errorf("GET /api/products/%s: Content-Type %q, want application/json", tt.id, ct)
			}
			if !strings.Contains(w.Body.String(), tt.want) {
				t.Errorf("GET /api/products/%s: body %s lacks %s", tt.id, w.Body, tt.want)
			}
		})
	}
}

func postOrder(tb testing.TB, a *App, body string) (int, order, apiError) {
	tb.Helper()
	w := serve(tb, a, "POST", "/api/orders", strings.NewReader(body), jsonBody)
	var o order
	var e apiError
	if w.Code == http.StatusCreated {
		if err := json.Unmarshal(w.Body.Bytes(), &o); err != nil {
			tb.Fatalf("POST /api/orders: decode order: %v; body:\n%s", err, w.Body)
		}
	} else if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil {
		tb.Fatalf("POST /api/orders: status %d, decode error: %v; body:\n%s", w.Code, err, w.Body)
	}
	return w.Code, o, e
}

func TestCreateOrder(t *testing.T) {
	a := newTestApp(t)
	status, o, _ := postOrder(t, a, `{"product_id":1,"quantity":2,"name":"Alice","address":"1 Castle Road"}`)
	if status != http.StatusCreated {
		t.Fatalf("POST /api/orders: status %d, want 201", status)
	}
	want := order{ID: 1, ProductID: 1, Quantity: 2, Name: "Alice", Address: "1 Castle Road", TotalCents: 2400}
	if o != want {
		t.Errorf("POST /api/orders = %+v, want %+v", o, want)
	}
	_, o, _ = postOrder(t, a, `{"product_id":4,"quantity":1,"name":"Bob","address":"2 Keep Lane"}`)
	if o.ID != 2 {
		t.Errorf("second POST /api/orders: id %d, want 2", o.ID)
	}
}

func TestCreateOrderInvalid(t *testing.T) {
	a := newTestApp(t)
	tests := []struct {
		name, body string
		fields     []string // fields named in the error; none for a body that is not an order
	}{
		{"empty body", ``, nil},
		{"not json", `product_id=1`, nil},
		{"truncated", `{"product_id":1,`, nil},
		{"wrong type", `{"product_id":"1","quantity":1,"name":"a","address":"b"}`, nil},
		{"array", `[1,2]`, nil},
		{"unknown product", `{"product_id":99,"quantity":1,"name":"a","address":"b"}`, []string{"product_id"}},
		{"zero quantity", `{"product_id":1,"quantity":0,"name":"a","address":"b"}`, []string{"quantity"}},
		{"negative quantity", `{"product_id":1,"quantity":-3,"name":"a","address":"b"}`, []string{"quantity"}},
		{"huge quantity", `{"product_id":1,"quantity":101,"name":"a","address":"b"}`, []string{"quantity"}},
		{"blank name", `{"product_id":1,"quantity":1,"name":"  ","address":"b"}`, []string{"name"}},
		{"long name", `{"product_id":1,"quantity":1,"name":"` + strings.Repeat("n", maxNameLen+1) + `","address":"b"}`, []string{"name"}},
		{"long address", `{"product_id":1,"quantity":1,"name":"a","address":"` + strings.Repeat("x", maxAddressLen+1) + `"}`, []string{"address"}},
		{"all wrong", `{}`, []string{"product_id", "quantity", "name", "address"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, _, e := postOrder(t, a, tt.body)
			if status != http.StatusBadRequest {
				t.Fatalf("POST /api/orders %s: status %d, want 400", tt.name, status)
			}
			if e.Error == "" {
				t.Errorf("POST /api/orders %s: empty error message", tt.name)
			}
			if len(e.Fields) != len(tt.fields) {
				t.Errorf("POST /api/orders %s: fields %v, want %v", tt.name, e.Fields, tt.fields)
			}
			for _, f := range tt.fields {
				if e.Fields[f] == "" {
					t.Errorf("POST /api/orders %s: fields %v lack %s", tt.name, e.Fields, f)
				}
			}
		})
	}
	if len(a.orders) != 0 {
		t.Errorf("after invalid orders: %d stored, want 0", len(a.orders))
	}
}

func TestCreateOrderOversized(t *testing.T) {
	a := newTestApp(t)
	body := `{"product_id":1,"quantity":1,"name":"` + strings.Repeat("a", maxBody) + `","address":"b"}`
	status, _, e := postOrder(t, a, body)
	if status != http.StatusRequestEntityTooLarge {
		t.Fatalf("POST /api/orders with %d bytes: status %d, want 413", len(body), status)
	}
	if !strings.Contains(e.Error, "larger than") {
		t.Errorf("POST /api/orders with %d bytes: error %q", len(body), e.Error)
	}
}

func TestOrdersBounded(t *testing.T) {
	a := newTestApp(t)
	const n = maxOrders + 10
	for range n {
		if status, _, e := postOrder(t, a, `{"product_id":2,"quantity":1,"name":"a","address":"b"}`); status != http.StatusCreated {
			t.Fatalf("POST /api/orders: status %d (%v), want 201", status, e)
		}
	}
	if len(a.orders) != maxOrders {
		t.Fatalf("after %d orders: %d stored, want %d", n, len(a.orders), maxOrders)
	}
	if first, last := a.orders[0].ID, a.orders[len(a.orders)-1].ID; first != n-maxOrders+1 || last != n {
		t.Errorf("after %d orders: kept ids %d..%d, want %d..%d", n, first, last, n-maxOrders+1, n)
	}
}

func TestOrdersConcurrent(t *testing.T) {
	a := newTestApp(t)
	const workers, each = 16, 40
	ids := make([][]int, workers)
	var wg sync.WaitGroup
	for i := range workers {
		wg.Go(func() {
			for j := range each {
				body := fmt.Sprintf(`{"product_id":%d,"quantity":%d,"name":"w%d","address":"a"}`, j%8+1, j%5+1, i)
				// Not postOrder: t.Fatalf must not run outside the test's goroutine.
				w := serve(t, a, "POST", "/api/orders", strings.NewReader(body), jsonBody)
				var o order
				if err := json.Unmarshal(w.Body.Bytes(), &o); w.Code != http.StatusCreated || err != nil {
					t.Errorf("POST /api/orders: status %d (%v), want 201; body:\n%s", w.Code, err, w.Body)
					return
				}
				ids[i] = append(ids[i], o.ID)
				// Reads of other state race with the writes too.
				serve(t, a, "GET", "/api/products/1", nil, nil)
				login(t, a, Username, Password)
			}
		})
	}
	wg.Wait()

	seen := make(map[int]bool)
	for _, list := range ids {
		for _, id := range list {
			if seen[id] {
				t.Errorf("order id %d handed out twice", id)
			}
			seen[id] = true
		}
	}
	if len(seen) != workers*each || len(a.orders) != workers*each {
		t.Errorf("%d unique ids, %d stored; want %d", len(seen), len(a.orders), workers*each)
	}
}

// FuzzCreateOrder checks that no body makes the order API fail: every answer
// is a 201 with a stored, valid order, or a 400/413 with a JSON error.
func FuzzCreateOrder(f *testing.F) {
	for _, s := range []string{
		`{"product_id":1,"quantity":2,"name":"Alice","address":"1 Castle Road"}`,
		`{"product_id":99,"quantity":1,"name":"a","address":"b"}`,
		`{"product_id":1,"quantity":1e3,"name":"a","address":"b"}`,
		`{"product_id":1,"quantity":1,"name":"\u0000","address":"\ud800"}`,
		`{}`, `[]`, `null`, ``, `{"product_id":`,
	} {
		f.Add(s)
	}
	a := newTestApp(f)
	f.Fuzz(func(t *testing.T, body string) {
		if len(body) > 64<<10 {
			t.Skip("bodies above 64 KiB are covered by TestCreateOrderOversized")
		}
		status, o, e := postOrder(t, a, body)
		switch status {
		case http.StatusCreated:
			p, ok := productByID(o.ProductID)
			if !ok || o.Quantity < 1 || o.Quantity > maxQuantity || o.Name == "" || o.Address == "" ||
				o.TotalCents != p.PriceCents*o.Quantity {
				t.Errorf("POST /api/orders %q: accepted invalid order %+v", body, o)
			}
		case http.StatusBadRequest, http.StatusRequestEntityTooLarge:
			if e.Error == "" {
				t.Errorf("POST /api/orders %q: status %d with no error message", body, status)
			}
		default:
			t.Errorf("POST /api/orders %q: status %d, want 201, 400 or 413", body, status)
		}
	})
}
