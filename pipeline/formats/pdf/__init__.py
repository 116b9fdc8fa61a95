"""The two PDFs drawn from one paged template family: the print brochure and the accessible
PDF for screens."""
