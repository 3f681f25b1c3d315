package material_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/sparlab/spar/dialog/studio/material"
)

// The PDF tests run the real pdftotext (make test installs poppler-utils): without it they
// fail, they do not skip.

// TestPDFText reads a two-page refund policy: its text in reading order, UTF-8 ("£"), the
// lines the PDF wrapped joined into sentences, the questions and answers each on their own
// line, a blank line between the pages. A PDF uploaded with no extension is read as one.
func TestPDFText(t *testing.T) {
	pdf, err := os.ReadFile("testdata/returns-policy.pdf")
	if err != nil {
		t.Fatal(err)
	}
	got, err := material.Reader{}.Text(context.Background(), "returns-policy.PDF", pdf)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"Northwind Home: refunds and returns\nNorthwind Home refunds any order returned within 30 days of delivery. Refunds go back to the original card within 5 business days of the parcel reaching our warehouse.\n",
		"A return label costs £4.95 and is taken off the refund, unless the item was faulty.\n\nCommon questions\n",
		"Q: Can I return a sofa after 30 days?\nA: No. Sofas must come back within 30 days of delivery, in their original packaging.\nQ: Why",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("text lacks %q:\n%s", want, got)
		}
	}
	golden(t, "testdata/returns-policy.txt.golden", []byte(got))
	if sniffed, err := (material.Reader{}).Text(context.Background(), "upload", pdf); err != nil || sniffed != got {
		t.Errorf("a PDF named without an extension: %q, %v", sniffed, err)
	}
}

// TestPDFRefused: a PDF the server cannot read gives what to do, not a panic: a damaged one
// (garbage after a PDF header), a scanned one (a page of picture, no text), one locked with a
// password, and any PDF when pdftotext is not installed. An upload given up is not read.
func TestPDFRefused(t *testing.T) {
	read := func(name string) []byte {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		r    material.Reader
		data []byte
		err  error
		says string
	}{
		{"broken.pdf", material.Reader{}, []byte("%PDF-1.7\n\x00\xff garbage \x01 obj << /Type"), material.ErrUnreadable, "broken.pdf is damaged or not a PDF: paste the text instead"},
		{"empty.pdf", material.Reader{}, nil, material.ErrUnreadable, "damaged or not a PDF"},
		{"scanned.pdf", material.Reader{}, read("scanned.pdf"), material.ErrUnreadable, "it looks like a scanned PDF (pictures of pages); paste the text instead"},
		{"locked.pdf", material.Reader{}, read("locked.pdf"), material.ErrUnreadable, "locked.pdf is password-protected"},
		{"returns-policy.pdf", material.Reader{PDFToText: "pdftotext-not-installed"}, read("returns-policy.pdf"), material.ErrNoPDF, "install pdftotext (Debian's poppler-utils)"},
	} {
		got, err := tc.r.Text(ctx, tc.name, tc.data)
		if !errors.Is(err, tc.err) || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("%s: %q, %v; want %v saying %q", tc.name, got, err, tc.err, tc.says)
		}
	}
	gone, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := (material.Reader{}).Text(gone, "returns-policy.pdf", read("returns-policy.pdf")); !errors.Is(err, context.Canceled) {
		t.Errorf("after the upload was given up: %v, want context.Canceled", err)
	}
}

// TestUnwrap: a line continues the one before only when that one stopped mid-sentence and
// it starts as the rest of a sentence does; bullets, labels and headings keep their lines.
func TestUnwrap(t *testing.T) {
	for in, want := range map[string]string{
		"Refunds go back to\nthe card.\n":               "Refunds go back to the card.\n",
		"A label costs\n$7.50 or\n12 euros.":            "A label costs $7.50 or 12 euros.\n",
		"made-to-\norder sofas":                         "made-to-order sofas\n",
		"Returns\nYou can return":                       "Returns\nYou can return\n",
		"Steps\n- call us\n1. write\nCustomer: hi":      "Steps\n- call us\n1. write\nCustomer: hi\n",
		"It ends.\nthen lower\n\nnew paragraph and\n\f": "It ends.\nthen lower\n\nnew paragraph and\n",
		"  one  \n\n\n\f\n  two":                        "one\n\ntwo\n",
		"\f\n \n":                                       "",
	} {
		if got := material.Unwrap(in); got != want {
			t.Errorf("Unwrap(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestPDFComplaints: a PDF that pdftotext reads while complaining at length (no cross-reference
// table, thousands of unknown operators: over 100 KiB of errors) still gives its text.
func TestPDFComplaints(t *testing.T) {
	content := "BT /F1 11 Tf 72 720 Td (Refunds go back within 5 days.) Tj ET\n" + strings.Repeat("1 2 zz\n", 3000)
	var pdf strings.Builder
	pdf.WriteString("%PDF-1.4\n")
	for i, obj := range []string{"<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%sendstream", len(content), content),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"} {
		fmt.Fprintf(&pdf, "%d 0 obj\n%s\nendobj\n", i+1, obj)
	}
	pdf.WriteString("trailer\n<< /Root 1 0 R >>\n%%EOF\n")
	got, err := material.Reader{}.Text(context.Background(), "noisy.pdf", []byte(pdf.String()))
	if err != nil || got != "Refunds go back within 5 days.\n" {
		t.Errorf("noisy PDF: %q, %v", got, err)
	}
}

// TestPDFTooMuchText: a small PDF with over a MiB of text (200 pages sharing one page of
// text) is refused as too large, not read whole into memory.
func TestPDFTooMuchText(t *testing.T) {
	content := "BT /F1 5 Tf 6 TL 20 780 Td " + strings.Repeat("("+strings.Repeat("A", 100)+") Tj T* ", 100) + "ET"
	var pdf, kids strings.Builder
	pdf.WriteString("%PDF-1.4\n")
	for i := range 200 {
		fmt.Fprintf(&pdf, "%d 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>\nendobj\n", 6+i)
		fmt.Fprintf(&kids, "%d 0 R ", 6+i)
	}
	fmt.Fprintf(&pdf, "1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [%s] /Count 200 >>\nendobj\n", kids.String())
	fmt.Fprintf(&pdf, "4 0 obj\n<< /Length %d >>\nstream\n%s\nendstream\nendobj\n", len(content), content)
	pdf.WriteString("5 0 obj\n<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")
	if len(pdf.String()) > 64<<10 {
		t.Fatalf("the PDF is %d bytes: it should be small", len(pdf.String()))
	}
	_, err := material.Reader{}.Text(context.Background(), "long.pdf", []byte(pdf.String()))
	if !errors.Is(err, material.ErrTooLarge) || !strings.Contains(err.Error(), "the text of long.pdf is over 1 MiB") {
		t.Errorf("long PDF: %v, want ErrTooLarge", err)
	}
}
