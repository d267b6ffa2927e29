import BridgeSupport

/// Minimal SVG charts written as text (no plotting library): bars with error bars, and lines.
public enum SVGChart {
    static let width = 640.0, height = 400.0, left = 70.0, right = 20.0, top = 40.0, bottom = 110.0
    static let palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]

    static func esc(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    static func f(_ x: Double) -> String { String(format: "%.2f", x) }

    /// A readable tick label (4 significant digits).
    static func tick(_ x: Double) -> String { String(format: "%.4g", x) }

    /// Axis frame, title and y ticks for the range [lo, hi]; returns the y mapping.
    static func frame(title: String, yLabel: String, lo: Double, hi: Double, into out: inout String) -> (Double) -> Double {
        let span = hi > lo ? hi - lo : max(abs(hi), 1)
        let y0 = hi > lo ? lo : lo - span / 2
        let plotH = height - top - bottom
        let y = { (v: Double) -> Double in top + plotH * (1 - (v - y0) / span) }
        out += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" font-family=\"sans-serif\" font-size=\"11\">\n"
        out += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        out += "<text x=\"\(f(width / 2))\" y=\"20\" text-anchor=\"middle\" font-size=\"13\">\(esc(title))</text>\n"
        out += "<text x=\"14\" y=\"\(f(top + plotH / 2))\" transform=\"rotate(-90 14 \(f(top + plotH / 2)))\" text-anchor=\"middle\">\(esc(yLabel))</text>\n"
        out += "<line x1=\"\(f(left))\" y1=\"\(f(top))\" x2=\"\(f(left))\" y2=\"\(f(top + plotH))\" stroke=\"black\"/>\n"
        out += "<line x1=\"\(f(left))\" y1=\"\(f(top + plotH))\" x2=\"\(f(width - right))\" y2=\"\(f(top + plotH))\" stroke=\"black\"/>\n"
        for i in 0...4 {
            let v = y0 + span * Double(i) / 4
            out += "<line x1=\"\(f(left - 4))\" y1=\"\(f(y(v)))\" x2=\"\(f(width - right))\" y2=\"\(f(y(v)))\" stroke=\"#ddd\"/>\n"
            out += "<text x=\"\(f(left - 6))\" y=\"\(f(y(v) + 4))\" text-anchor=\"end\">\(tick(v))</text>\n"
        }
        return y
    }

    /// Bars of group means with error bars [low, high] (nil: no bar / no error bar).
    public static func bars(title: String, yLabel: String, xLabel: String = "", groups: [String], means: [Double?], lows: [Double?], highs: [Double?]) -> String {
        let all = (means + lows + highs).compactMap { $0 } + [0]
        var out = ""
        let y = frame(title: title, yLabel: yLabel, lo: all.min() ?? 0, hi: all.max() ?? 1, into: &out)
        let plotW = width - left - right, slot = plotW / Double(max(groups.count, 1))
        for (i, g) in groups.enumerated() {
            let cx = left + slot * (Double(i) + 0.5)
            if let m = means[i] {
                let top = min(y(m), y(0)), h = abs(y(m) - y(0))
                out += "<rect x=\"\(f(cx - slot * 0.35))\" y=\"\(f(top))\" width=\"\(f(slot * 0.7))\" height=\"\(f(h))\" fill=\"\(palette[i % palette.count])\" opacity=\"0.8\"><title>\(esc(g)): \(tick(m))</title></rect>\n"
            }
            if let lo = lows[i], let hi = highs[i] {
                out += "<line x1=\"\(f(cx))\" y1=\"\(f(y(lo)))\" x2=\"\(f(cx))\" y2=\"\(f(y(hi)))\" stroke=\"black\"/>\n"
                for v in [lo, hi] { out += "<line x1=\"\(f(cx - 5))\" y1=\"\(f(y(v)))\" x2=\"\(f(cx + 5))\" y2=\"\(f(y(v)))\" stroke=\"black\"/>\n" }
            }
            let ly = height - bottom + 14
            out += "<text x=\"\(f(cx))\" y=\"\(f(ly))\" text-anchor=\"end\" transform=\"rotate(-30 \(f(cx)) \(f(ly)))\">\(esc(g))</text>\n"
        }
        out += "<text x=\"\(f(left + plotW / 2))\" y=\"\(f(height - 8))\" text-anchor=\"middle\">\(esc(xLabel))</text>\n"
        return out + "</svg>\n"
    }

    /// One polyline per series (x = step), with a legend.
    public static func lines(title: String, yLabel: String, legendTitle: String = "", series: [(name: String, points: [(Double, Double)])]) -> String {
        let xs = series.flatMap { $0.points.map(\.0) }, ys = series.flatMap { $0.points.map(\.1) }
        var out = ""
        let y = frame(title: title, yLabel: yLabel, lo: ys.min() ?? 0, hi: ys.max() ?? 1, into: &out)
        let x0 = xs.min() ?? 0, x1 = xs.max() ?? 1, plotW = width - left - right
        let x = { (v: Double) -> Double in left + plotW * (x1 > x0 ? (v - x0) / (x1 - x0) : 0.5) }
        for i in 0...4 {
            let v = x0 + (x1 - x0) * Double(i) / 4
            out += "<text x=\"\(f(x(v)))\" y=\"\(f(height - bottom + 14))\" text-anchor=\"middle\">\(tick(v))</text>\n"
        }
        out += "<text x=\"\(f(left + plotW / 2))\" y=\"\(f(height - bottom + 30))\" text-anchor=\"middle\">step</text>\n"
        if !legendTitle.isEmpty { out += "<text x=\"\(f(left))\" y=\"\(f(height - bottom + 30))\">\(esc(legendTitle)):</text>\n" }
        for (i, s) in series.enumerated() {
            let color = palette[i % palette.count]
            let pts = s.points.map { "\(f(x($0.0))),\(f(y($0.1)))" }.joined(separator: " ")
            out += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.5\" points=\"\(pts)\"/>\n"
            let ly = height - bottom + 48 + Double(i / 2) * 14, lx = left + Double(i % 2) * plotW / 2
            out += "<rect x=\"\(f(lx))\" y=\"\(f(ly - 9))\" width=\"10\" height=\"10\" fill=\"\(color)\"/>"
            out += "<text x=\"\(f(lx + 14))\" y=\"\(f(ly))\">\(esc(s.name))</text>\n"
        }
        return out + "</svg>\n"
    }
}
