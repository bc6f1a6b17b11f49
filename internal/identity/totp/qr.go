package totp

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"

	"github.com/boombuler/barcode/qr"
)

const (
	// quietZone is the white border, in modules, that QR readers need.
	quietZone = 4
	// MaxQRSize bounds the picture's side in pixels.
	MaxQRSize = 2048
	// maxQRText bounds what QRPNG encodes; an otpauth:// URL is about 150
	// bytes.
	maxQRText = 1024
)

// QRPNG draws url as a QR code (error correction level M, about 15 %) in a
// size × size PNG, black on white. Each module is a whole number of pixels
// and the code is centred with at least a 4-module white border. It fails
// when size is above MaxQRSize or too small to give each module a pixel
// (a TOTP URL needs about 200).
func QRPNG(url string, size int) ([]byte, error) {
	if url == "" {
		return nil, errors.New("draw QR code: the text is empty")
	}
	if len(url) > maxQRText {
		return nil, fmt.Errorf("draw QR code: the text is %d bytes; the limit is %d", len(url), maxQRText)
	}
	if size <= 0 || size > MaxQRSize {
		return nil, fmt.Errorf("draw QR code: size %d is not between 1 and %d pixels", size, MaxQRSize)
	}
	code, err := qr.Encode(url, qr.M, qr.Auto)
	if err != nil {
		return nil, fmt.Errorf("draw QR code: %w", err)
	}
	n := code.Bounds().Dx()
	scale := size / (n + 2*quietZone)
	if scale < 1 {
		return nil, fmt.Errorf("draw QR code: size %d is too small for %d modules; use at least %d pixels", size, n, n+2*quietZone)
	}
	img := image.NewPaletted(image.Rect(0, 0, size, size), color.Palette{color.White, color.Black})
	off := (size - n*scale) / 2
	origin := code.Bounds().Min
	for y := range n {
		for x := range n {
			if !dark(code.At(origin.X+x, origin.Y+y)) {
				continue
			}
			for py := off + y*scale; py < off+(y+1)*scale; py++ {
				for px := off + x*scale; px < off+(x+1)*scale; px++ {
					img.SetColorIndex(px, py, 1)
				}
			}
		}
	}
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("draw QR code: %w", err)
	}
	return buf.Bytes(), nil
}

func dark(c color.Color) bool {
	return color.GrayModel.Convert(c).(color.Gray).Y < 128
}
