//! QR codes as SVG: the enrollment code a phone scans from the screen or from paper.

use qrcode::{Color, EcLevel, QrCode};

/// The payload as an SVG QR code (one `<path>`, crisp at any size), or None if it is too long.
pub fn svg(payload: &str) -> Option<String> {
    let code = QrCode::with_error_correction_level(payload.as_bytes(), EcLevel::M).ok()?;
    let width = code.width();
    let quiet = 4;
    let size = width + 2 * quiet;
    let mut path = String::new();
    for (i, color) in code.to_colors().iter().enumerate() {
        if *color == Color::Dark {
            let (x, y) = (i % width + quiet, i / width + quiet);
            path.push_str(&format!("M{x} {y}h1v1h-1z"));
        }
    }
    Some(format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" class="qr" viewBox="0 0 {size} {size}" shape-rendering="crispEdges" role="img" aria-label="Mã QR đăng ký thiết bị"><rect width="{size}" height="{size}" fill="#fff"/><path d="{path}" fill="#000"/></svg>"##
    ))
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_payload_becomes_a_square_svg_of_dark_modules() {
        let svg = super::svg("sotay://enroll?server=http://127.0.0.1:8080&code=ABCD2345WXYZ").unwrap();
        let doc = roxmltree::Document::parse(&svg).unwrap();
        let root = doc.root_element();
        let vb: Vec<u32> = root.attribute("viewBox").unwrap().split(' ').map(|v| v.parse().unwrap()).collect();
        assert_eq!(vb[2], vb[3]);
        // Version 3 or 4 for this length: 29 or 33 modules plus the quiet zone.
        assert!(vb[2] == 37 || vb[2] == 41, "{vb:?}");
        let path = doc.descendants().find(|n| n.has_tag_name("path")).unwrap();
        assert!(path.attribute("d").unwrap().matches('M').count() > 200);
    }
}
