package demo

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
)

// Bounds on an order's fields.
const (
	maxQuantity   = 100
	maxNameLen    = 200  // bytes
	maxAddressLen = 1000 // bytes
)

// order is a placed order, as POST /api/orders answers it.
type order struct {
	ID         int    `json:"id"`
	ProductID  int    `json:"product_id"`
	Quantity   int    `json:"quantity"`
	Name       string `json:"name"`
	Address    string `json:"address"`
	TotalCents int    `json:"total_cents"`
}

func (a *App) listProducts(w http.ResponseWriter, r *http.Request) {
	a.writeJSON(w, r, http.StatusOK, products)
}

func (a *App) getProduct(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.Atoi(r.PathValue("id"))
	p, ok := productByID(id)
	if err != nil || !ok {
		a.writeJSON(w, r, http.StatusNotFound, apiError{Error: "product not found"})
		return
	}
	a.writeJSON(w, r, http.StatusOK, p)
}

func (a *App) createOrder(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	var in struct {
		ProductID int    `json:"product_id"`
		Quantity  int    `json:"quantity"`
		Name      string `json:"name"`
		Address   string `json:"address"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			a.writeJSON(w, r, http.StatusRequestEntityTooLarge,
				apiError{Error: fmt.Sprintf("request body is larger than %d bytes", maxBody)})
			return
		}
		a.writeJSON(w, r, http.StatusBadRequest, apiError{Error: "request body is not a valid order: " + err.Error()})
		return
	}

	fields := make(map[string]string)
	p, ok := productByID(in.ProductID)
	if !ok {
		fields["product_id"] = fmt.Sprintf("no product has id %d", in.ProductID)
	}
	if in.Quantity < 1 || in.Quantity > maxQuantity {
		fields["quantity"] = fmt.Sprintf("must be between 1 and %d", maxQuantity)
	}
	in.Name, in.Address = strings.TrimSpace(in.Name), strings.TrimSpace(in.Address)
	if in.Name == "" || len(in.Name) > maxNameLen {
		fields["name"] = fmt.Sprintf("must be 1 to %d bytes", maxNameLen)
	}
	if in.Address == "" || len(in.Address) > maxAddressLen {
		fields["address"] = fmt.Sprintf("must be 1 to %d bytes", maxAddressLen)
	}
	if len(fields) > 0 {
		a.writeJSON(w, r, http.StatusBadRequest, apiError{Error: "invalid order", Fields: fields})
		return
	}

	o := order{
		ProductID:  p.ID,
		Quantity:   in.Quantity,
		Name:       in.Name,
		Address:    in.Address,
		TotalCents: p.PriceCents * in.Quantity,
	}
	a.mu.Lock()
	a.nextOrderID++
	o.ID = a.nextOrderID
	if len(a.orders) >= maxOrders {
		a.orders = append(a.orders[:0], a.orders[1:]...) // drop the oldest
	}
	a.orders = append(a.orders, o)
	a.mu.Unlock()

	a.log.LogAttrs(r.Context(), slog.LevelInfo, "order created",
		slog.Int("order_id", o.ID), slog.Int("product_id", o.ProductID), slog.Int("quantity", o.Quantity))
	a.writeJSON(w, r, http.StatusCreated, o)
}
