package totp

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"

	"github.com/boombuler/barcode/qr"
)

func TestQRPNG(t *testing.T) {
	k, err := Generate("Example Corp", "alice@example.com")
	if err != nil {
		t.Fatal(err)
	}
	for _, size := range []int{200, 256, 301} {
		b, err := QRPNG(k.URL, size)
		if err != nil {
			t.Fatalf("QRPNG(url, %d) = %v", size, err)
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("png.Decode(QRPNG(url, %d)) = %v", size, err)
		}
		if got := img.Bounds(); got != image.Rect(0, 0, size, size) {
			t.Errorf("QRPNG(url, %d) is %v, want %d×%d", size, got, size, size)
		}
		// Every module's centre pixel has the module's colour, and the
		// 4-module border is white.
		code, err := qr.Encode(k.URL, qr.M, qr.Auto)
		if err != nil {
			t.Fatal(err)
		}
		n := code.Bounds().Dx()
		scale := size / (n + 8)
		off := (size - n*scale) / 2
		if off < 4*scale {
			t.Errorf("QRPNG(url, %d): border %d px is under 4 modules of %d px", size, off, scale)
		}
		for y := range n {
			for x := range n {
				want := dark(code.At(x, y))
				if got := dark(img.At(off+x*scale+scale/2, off+y*scale+scale/2)); got != want {
					t.Fatalf("QRPNG(url, %d): module (%d, %d) dark = %v, want %v", size, x, y, got, want)
				}
			}
		}
		for i := range size {
			for _, p := range []image.Point{{i, 0}, {0, i}, {i, size - 1}, {size - 1, i}, {i, off - 1}, {off - 1, i}} {
				if dark(img.At(p.X, p.Y)) {
					t.Fatalf("QRPNG(url, %d): border pixel %v is dark", size, p)
				}
			}
		}
		// The top-left finder pattern: its outer ring is dark.
		if !dark(img.At(off, off)) || !dark(img.At(off+7*scale-1, off)) || dark(img.At(off+scale+scale/2, off+scale+scale/2)) {
			t.Errorf("QRPNG(url, %d): no finder pattern at the top left", size)
		}
	}
}

func TestQRPNGErrors(t *testing.T) {
	url := "otpauth://totp/Example:alice?secret=JBSWY3DPEHPK3PXP&issuer=Example"
	tests := []struct {
		name string
		url  string
		size int
		want string
	}{
		{"empty", "", 200, "empty"},
		{"too long", strings.Repeat("a", 2000), 200, "2000 bytes"},
		{"zero size", url, 0, "size 0"},
		{"negative size", url, -5, "size -5"},
		{"huge size", url, 100000, "size 100000"},
		{"too small", url, 20, "too small"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := QRPNG(tt.url, tt.size); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("QRPNG(%d bytes, %d) = %v; want an error containing %q", len(tt.url), tt.size, err, tt.want)
			}
		})
	}
}

func TestDark(t *testing.T) {
	if !dark(color.Black) || dark(color.White) {
		t.Error("dark(black) or !dark(white)")
	}
}
