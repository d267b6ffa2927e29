import BridgeSupport
import Foundation

/// Paper-ready SVG charts written as text (no plotting library, so the figures of a study are
/// byte-stable and need nothing installed).
///
/// Units: one SVG unit is 1/100 inch, and the `width`/`height` attributes say so (`3.3in`), so a
/// figure printed at single-column width (3.3 in) shows its text at the size written here: every
/// label is `fontSize` = 11.5 units = 8.3 pt, above the 8 pt journals ask for. Wide figures (many
/// benchmarks, long group labels) use double-column width (6.8 in) at the same font size.
///
/// Every text element is also recorded as a box (`Figure.texts`, width estimated from the font size),
/// so tests check that no label leaves the canvas or overlaps another (`SVGChartTests`).
public enum SVGChart {
    /// Single- and double-column widths in units (1/100 in).
    public static let columnWidth = 330.0, doubleWidth = 680.0
    /// 8.3 pt: the smallest text of every figure.
    public static let fontSize = 11.5
    /// Estimated advance per character as a fraction of the font size. DejaVu Sans (what rsvg and most
    /// Linux viewers substitute for sans-serif) averages ≈ 0.55 em on lower case and 0.64 em on digits;
    /// 0.62 errs towards wide, so an estimated box contains the rendered text.
    static let charWidth = 0.62
    static let palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]

    /// A text label's estimated box (canvas units, y down).
    public struct TextBox: Equatable, Sendable {
        public var text: String
        public var x0, y0, x1, y1: Double
        public func overlaps(_ o: TextBox) -> Bool { x0 < o.x1 && o.x0 < x1 && y0 < o.y1 && o.y0 < y1 }
    }

    /// A finished chart: its SVG text, canvas size and the boxes of every text element.
    public struct Figure: Sendable {
        public var svg: String
        public var width: Double, height: Double
        public var texts: [TextBox]
    }

    /// One group of an interval chart (a row) or one bar of a grouped bar chart.
    public struct Estimate: Sendable {
        public var mean: Double?
        public var low: Double?, high: Double?
        /// Per-seed values, drawn as dots so a reader sees n and the spread.
        public var points: [Double]
        public init(mean: Double?, low: Double?, high: Double?, points: [Double]) {
            self.mean = mean; self.low = low; self.high = high; self.points = points
        }
    }

    /// One curve: mean over seeds at each step, and a band (low, high) at the same steps.
    public struct Curve: Sendable {
        public var name: String
        public var steps: [Double], mean: [Double], low: [Double], high: [Double]
        public var n: Int
        public init(name: String, steps: [Double], mean: [Double], low: [Double], high: [Double], n: Int) {
            self.name = name; self.steps = steps; self.mean = mean; self.low = low; self.high = high; self.n = n
        }
    }

    static func esc(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    static func f(_ x: Double) -> String { String(format: "%.2f", x) }

    /// Estimated width of `s` at `size`.
    public static func textWidth(_ s: String, size: Double = fontSize) -> Double { Double(s.count) * charWidth * size }

    // MARK: ticks

    /// Round ticks ("nice numbers", Heckbert 1990): a step of 1, 2, 2.5 or 5 × 10^k giving at most
    /// `maxTicks` ticks, the range widened to multiples of the step. Returns ticks and their labels
    /// (as many decimals as the step needs, never "-0").
    public static func niceTicks(_ lo: Double, _ hi: Double, maxTicks: Int) -> (values: [Double], labels: [String]) {
        var lo = lo, hi = hi
        if !(hi > lo) { let d = max(abs(lo) * 0.1, 0.05); lo -= d; hi += d }
        let raw = (hi - lo) / Double(max(maxTicks - 1, 1))
        let mag = pow(10, floor(log10(raw)))
        var step = mag * 10
        for m in [1.0, 2.0, 2.5, 5.0, 10.0] where mag * m >= raw * (1 - 1e-9) { step = mag * m; break }
        let first = floor(lo / step + 1e-9), last = ceil(hi / step - 1e-9)
        let values = stride(from: first, through: last, by: 1).map { $0 * step }
        let decimals = max(0, Int(-floor(log10(step) + 1e-9)) + (abs(step / mag - 2.5) < 1e-9 ? 1 : 0))
        let labels = values.map { v -> String in
            let s = String(format: "%.\(decimals)f", abs(v) < step * 1e-9 ? 0 : v)
            return s.replacingOccurrences(of: "-", with: "−")
        }
        return (values, labels)
    }

    /// Ticks for an axis of `length` units with labels of about `labelChars` characters: as many as fit
    /// with a gap, at most 6.
    static func axisTicks(_ lo: Double, _ hi: Double, length: Double, horizontal: Bool) -> (values: [Double], labels: [String]) {
        var count = 6
        while count > 2 {
            let t = niceTicks(lo, hi, maxTicks: count)
            let widest = t.labels.map { textWidth($0) }.max() ?? 0
            let need = horizontal ? widest + fontSize : fontSize * 2
            if length / Double(max(t.values.count - 1, 1)) >= need { return t }
            count -= 1
        }
        return niceTicks(lo, hi, maxTicks: 2)
    }

    // MARK: drawing

    /// Collects SVG elements and text boxes.
    struct Canvas {
        var width: Double, height: Double
        var body = ""
        var texts: [TextBox] = []

        enum Anchor: String { case start, middle, end }

        /// A text line at baseline y; `vertical` rotates it by −90° about (x, y) (reads bottom to top).
        mutating func text(_ s: String, x: Double, y: Double, anchor: Anchor = .start, vertical: Bool = false, bold: Bool = false) {
            guard !s.isEmpty else { return }
            let w = SVGChart.textWidth(s), a = 0.78 * SVGChart.fontSize, d = 0.24 * SVGChart.fontSize
            let offset = anchor == .start ? 0 : anchor == .middle ? w / 2 : w
            let box = vertical
                ? TextBox(text: s, x0: x - a, y0: y - w + offset, x1: x + d, y1: y + offset)
                : TextBox(text: s, x0: x - offset, y0: y - a, x1: x - offset + w, y1: y + d)
            texts.append(box)
            let rot = vertical ? " transform=\"rotate(-90 \(f(x)) \(f(y)))\"" : ""
            let weight = bold ? " font-weight=\"bold\"" : ""
            body += "<text x=\"\(f(x))\" y=\"\(f(y))\" text-anchor=\"\(anchor.rawValue)\"\(rot)\(weight)>\(esc(s))</text>\n"
        }

        mutating func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String = "black", width: Double = 0.8) {
            body += "<line x1=\"\(f(x1))\" y1=\"\(f(y1))\" x2=\"\(f(x2))\" y2=\"\(f(y2))\" stroke=\"\(stroke)\" stroke-width=\"\(f(width))\"/>\n"
        }

        func figure(title: String, caption: String) -> Figure {
            let svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Format.number(width / 100))in\" height=\"\(Format.number(height / 100))in\" "
                + "viewBox=\"0 0 \(f(width)) \(f(height))\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" font-size=\"\(Format.number(SVGChart.fontSize))\">\n"
                + "<title>\(esc(title))</title>\n<desc>\(esc(caption))</desc>\n"
                + "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n" + body + "</svg>\n"
            return Figure(svg: svg, width: width, height: height, texts: texts)
        }
    }

    /// Splits `s` into lines no wider than `maxWidth`: first after ", " (between the parts of a group
    /// label), then inside a part after " ", "_" or "/"; a single unbreakable word stays whole (callers
    /// size the canvas so that it fits).
    public static func wrap(_ s: String, maxWidth: Double) -> [String] {
        guard textWidth(s) > maxWidth else { return [s] }
        func pack(_ pieces: [String], joiner: String) -> [String] {
            var lines: [String] = [], line = ""
            for p in pieces {
                let candidate = line.isEmpty ? p : line + joiner + p
                if !line.isEmpty && textWidth(candidate.trimmingCharacters(in: .whitespaces)) > maxWidth {
                    lines.append(line.trimmingCharacters(in: .whitespaces)); line = p
                } else { line = candidate }
            }
            if !line.isEmpty { lines.append(line.trimmingCharacters(in: .whitespaces)) }
            return lines
        }
        let parts = s.components(separatedBy: ", ")
        var out: [String] = []
        for (i, line) in pack(parts.enumerated().map { $0 < parts.count - 1 ? $1 + "," : $1 }, joiner: " ").enumerated() {
            _ = i
            if textWidth(line) <= maxWidth { out.append(line); continue }
            var pieces: [String] = [], current = ""
            for ch in line {
                current.append(ch)
                if ch == " " || ch == "_" || ch == "/" { pieces.append(current); current = "" }
            }
            if !current.isEmpty { pieces.append(current) }
            out += pack(pieces, joiner: "")
        }
        return out
    }

    /// Caption lines (what the marks are) wrapped to the canvas.
    static func captionLines(_ caption: String, width: Double) -> [String] {
        var lines: [String] = [], line = ""
        for word in caption.split(separator: " ").map(String.init) {
            let candidate = line.isEmpty ? word : line + " " + word
            if !line.isEmpty && textWidth(candidate) > width - 8 { lines.append(line); line = word } else { line = candidate }
        }
        return line.isEmpty ? lines : lines + [line]
    }

    /// Range of the data widened a little, clamped to `bounds`.
    static func dataRange(_ values: [Double], bounds: ClosedRange<Double>?, includeZero: Bool) -> (Double, Double) {
        var lo = values.min() ?? 0, hi = values.max() ?? 1
        if includeZero { lo = min(lo, 0); hi = max(hi, 0) }
        if let b = bounds { lo = max(lo, b.lowerBound); hi = min(hi, b.upperBound) }
        if !(hi > lo) { lo -= 0.5; hi += 0.5; if let b = bounds { lo = max(lo, b.lowerBound); hi = min(hi, b.upperBound) } }
        return (lo, hi)
    }

    // MARK: interval chart (one row per group)

    /// One row per group: its per-seed values (hollow dots), mean (filled dot) and interval (line),
    /// with n at the right. Horizontal rows keep long group labels readable without rotating them.
    /// `colors`: each row's palette index (default: its position), so that a figure showing some of a
    /// study's groups keeps each group's colour from the others.
    public static func intervals(title: String, axisLabel: String, caption: String, labels: [String], estimates: [Estimate],
                                 bounds: ClosedRange<Double>?, colors: [Int]? = nil) -> Figure {
        let fs = fontSize
        let natural = labels.map { textWidth($0) }.max() ?? 0
        // Long group labels or a long axis label (a theory slope's name) need the double column.
        let width = natural > columnWidth * 0.42 || textWidth(axisLabel) > columnWidth * 0.8 ? doubleWidth : columnWidth
        let labelMax = width * 0.42
        let wrapped = labels.map { wrap($0, maxWidth: labelMax) }
        let labelW = min(wrapped.flatMap { $0 }.map { textWidth($0) }.max() ?? 0, width * 0.5)
        let nLabels = estimates.map { "n=\($0.points.count)" }
        let nW = nLabels.map { textWidth($0) }.max() ?? 0
        let left = labelW + 10, right = nW + 14
        let rowH = wrapped.map { Double(max($0.count, 1)) * fs * 1.15 + 8 }
        let top = 10.0, plotH = rowH.reduce(0, +)
        let capLines = captionLines(caption, width: width)
        let height = top + plotH + 6 + fs * 1.3 + fs * 1.6 + Double(capLines.count) * fs * 1.2 + 6
        var c = Canvas(width: width, height: height)
        let all = estimates.flatMap { [$0.mean, $0.low, $0.high].compactMap { $0 } + $0.points }
        let (lo0, hi0) = dataRange(all, bounds: bounds, includeZero: false)
        let plotW = width - left - right
        let ticks = axisTicks(lo0, hi0, length: plotW, horizontal: true)
        let lo = ticks.values.first!, hi = ticks.values.last!
        let x = { (v: Double) -> Double in left + plotW * (v - lo) / (hi - lo) }
        let bottom = top + plotH
        for (v, l) in zip(ticks.values, ticks.labels) {
            c.line(x(v), top, x(v), bottom, stroke: "#e0e0e0", width: 0.5)
            c.line(x(v), bottom, x(v), bottom + 3)
            c.text(l, x: x(v), y: bottom + 4 + fs, anchor: .middle)
        }
        c.line(left, bottom, width - right, bottom)
        c.line(left, top, left, bottom)
        var y = top
        for (i, est) in estimates.enumerated() {
            let h = rowH[i], cy = y + h / 2, color = palette[(colors?[i] ?? i) % palette.count]
            let lines = wrapped[i]
            for (k, line) in lines.enumerated() {
                let ly = cy - Double(lines.count - 1) * fs * 0.575 + Double(k) * fs * 1.15 + fs * 0.35
                c.text(line, x: left - 6, y: ly, anchor: .end)
            }
            if let l = est.low, let u = est.high {
                c.line(x(l), cy, x(u), cy, stroke: color, width: 1.6)
                for v in [l, u] { c.line(x(v), cy - 4, x(v), cy + 4, stroke: color, width: 1.2) }
            }
            for (k, p) in est.points.enumerated() {
                let jitter = (Double(k % 3) - 1) * 3
                c.body += "<circle cx=\"\(f(x(p)))\" cy=\"\(f(cy + jitter))\" r=\"2.2\" fill=\"white\" stroke=\"\(color)\" stroke-width=\"0.8\"/>\n"
            }
            if let m = est.mean {
                c.body += "<circle cx=\"\(f(x(m)))\" cy=\"\(f(cy))\" r=\"3.2\" fill=\"\(color)\"><title>\(esc(labels[i])): \(Format.number(m))</title></circle>\n"
            }
            c.text(nLabels[i], x: width - right + 8, y: cy + fs * 0.35)
            y += h
        }
        // Centred under the plot, moved left as far as needed to stay inside the canvas.
        let half = textWidth(axisLabel) / 2
        c.text(axisLabel, x: max(min(left + plotW / 2, width - half - 4), half + 4), y: bottom + 4 + fs * 2.4, anchor: .middle)
        for (k, line) in capLines.enumerated() { c.text(line, x: 4, y: bottom + 4 + fs * 3.8 + Double(k) * fs * 1.2) }
        return c.figure(title: title, caption: caption)
    }

    // MARK: legend (shared by grouped bars and curves)

    /// Legend entries laid out in rows above the plot (an entry too wide for a row wraps onto several
    /// lines); returns the height used.
    static func legend(_ names: [String], into c: inout Canvas, top: Double, left: Double, right: Double, swatch: (Int, Double, Double) -> String) -> Double {
        let fs = fontSize, lineH = fs * 1.3
        var x = left, y = top + fs, rowLines = 1
        for (i, name) in names.enumerated() {
            let lines = wrap(name, maxWidth: c.width - left - right - 14)
            let w = 14 + (lines.map { textWidth($0) }.max() ?? 0) + 10
            if x > left && (x + w > c.width - right || lines.count > 1) { x = left; y += Double(rowLines) * lineH; rowLines = 1 }
            c.body += swatch(i, x, y - fs * 0.35)
            for (k, line) in lines.enumerated() { c.text(line, x: x + 14, y: y + Double(k) * lineH) }
            rowLines = max(rowLines, lines.count)
            x += w
            if lines.count > 1 { x = c.width }  // the next entry starts a new row
        }
        return y - top + Double(rowLines - 1) * lineH + fs * 0.6
    }

    /// Y axis with nice ticks and a vertical label; returns the mapping.
    static func yAxis(_ c: inout Canvas, ticks: (values: [Double], labels: [String]), label: String, left: Double, top: Double, bottom: Double, right: Double) -> (Double) -> Double {
        let lo = ticks.values.first!, hi = ticks.values.last!
        let y = { (v: Double) -> Double in bottom - (bottom - top) * (v - lo) / (hi - lo) }
        for (v, l) in zip(ticks.values, ticks.labels) {
            c.line(left, y(v), c.width - right, y(v), stroke: "#e0e0e0", width: 0.5)
            c.line(left - 3, y(v), left, y(v))
            c.text(l, x: left - 5, y: y(v) + fontSize * 0.35, anchor: .end)
        }
        c.line(left, top, left, bottom)
        c.line(left, bottom, c.width - right, bottom)
        c.text(label, x: 4 + fontSize * 0.8, y: (top + bottom) / 2, anchor: .middle, vertical: true)
        return y
    }

    static func yLeft(_ ticks: (values: [Double], labels: [String])) -> Double {
        4 + fontSize * 1.3 + (ticks.labels.map { textWidth($0) }.max() ?? 0) + 8
    }

    // MARK: grouped bars (groups × categories)

    /// Bars of `groups` (colours, legend above) within each category (x axis): mean, interval and the
    /// per-seed dots. The methods × benchmarks table of a paper as a figure.
    /// `colors` as in `intervals`: each group's palette index.
    public static func groupedBars(title: String, axisLabel: String, caption: String, categories: [String], groups: [String],
                                   estimates: [[Estimate]], bounds: ClosedRange<Double>?, colors: [Int]? = nil) -> Figure {
        let fs = fontSize
        let width = categories.count * groups.count > 12 || categories.count > 4 ? doubleWidth : columnWidth
        let all = estimates.flatMap { $0.flatMap { [$0.mean, $0.low, $0.high].compactMap { $0 } + $0.points } }
        let (lo0, hi0) = dataRange(all, bounds: bounds, includeZero: true)
        let plotH = 150.0
        let ticks = axisTicks(lo0, hi0, length: plotH, horizontal: false)
        let left = yLeft(ticks), right = 8.0
        var probe = Canvas(width: width, height: 1000)
        let legendH = legend(groups, into: &probe, top: 0, left: left, right: right) { _, _, _ in "" }
        let plotW = width - left - right, slot = plotW / Double(max(categories.count, 1))
        let catLines = categories.map { wrap($0, maxWidth: slot - 6) }
        let catH = Double(catLines.map(\.count).max() ?? 1) * fs * 1.15
        let capLines = captionLines(caption, width: width)
        let top = 6 + legendH + 6
        let bottom = top + plotH
        let height = bottom + 4 + catH + 6 + Double(capLines.count) * fs * 1.2 + 4
        var c = Canvas(width: width, height: height)
        _ = legend(groups, into: &c, top: 6, left: left, right: right) { i, x, y in
            "<rect x=\"\(f(x))\" y=\"\(f(y - 4.5))\" width=\"10\" height=\"9\" fill=\"\(palette[(colors?[i] ?? i) % palette.count])\"/>\n"
        }
        let y = yAxis(&c, ticks: ticks, label: axisLabel, left: left, top: top, bottom: bottom, right: right)
        let base = y(max(ticks.values.first!, min(0, ticks.values.last!)))
        let barW = slot * 0.8 / Double(max(groups.count, 1))
        for (ci, lines) in catLines.enumerated() {
            let x0 = left + slot * Double(ci) + slot * 0.1
            for gi in groups.indices {
                let est = estimates[gi][ci], color = palette[(colors?[gi] ?? gi) % palette.count]
                let bx = x0 + barW * Double(gi), cx = bx + barW / 2
                if let m = est.mean {
                    c.body += "<rect x=\"\(f(bx + barW * 0.08))\" y=\"\(f(min(y(m), base)))\" width=\"\(f(barW * 0.84))\" height=\"\(f(abs(y(m) - base)))\" fill=\"\(color)\" fill-opacity=\"0.75\"><title>\(esc(groups[gi])), \(esc(categories[ci])): \(Format.number(m))</title></rect>\n"
                }
                for (k, p) in est.points.enumerated() {
                    let jitter = (Double(k % 3) - 1) * min(barW * 0.2, 3)
                    c.body += "<circle cx=\"\(f(cx + jitter))\" cy=\"\(f(y(p)))\" r=\"1.8\" fill=\"white\" stroke=\"black\" stroke-width=\"0.6\"/>\n"
                }
                if let l = est.low, let u = est.high {
                    c.line(cx, y(l), cx, y(u), width: 1)
                    for v in [l, u] { c.line(cx - min(3, barW * 0.3), y(v), cx + min(3, barW * 0.3), y(v), width: 1) }
                }
            }
            for (k, line) in lines.enumerated() {
                c.text(line, x: left + slot * (Double(ci) + 0.5), y: bottom + 4 + fs + Double(k) * fs * 1.15, anchor: .middle)
            }
        }
        for (k, line) in capLines.enumerated() { c.text(line, x: 4, y: bottom + 4 + catH + 6 + fs + Double(k) * fs * 1.2) }
        return c.figure(title: title, caption: caption)
    }

    // MARK: curves with bands

    /// Mean curve per group with a shaded band (low to high at each step), legend above, x axis `xLabel`
    /// (the step unless the curves are placed at another metric's values).
    public static func curves(title: String, axisLabel: String, xLabel: String = "step", caption: String, curves: [Curve], bounds: ClosedRange<Double>?) -> Figure {
        let fs = fontSize
        let longest = curves.filter { !$0.steps.isEmpty }.map { textWidth("\($0.name) (n=\($0.n))") }.max() ?? 0
        let width = longest > columnWidth * 0.9 ? doubleWidth : columnWidth
        let ys = curves.flatMap { $0.mean + $0.low + $0.high }, xs = curves.flatMap(\.steps)
        let (lo0, hi0) = dataRange(ys, bounds: bounds, includeZero: false)
        let plotH = 150.0
        let yt = axisTicks(lo0, hi0, length: plotH, horizontal: false)
        let left = yLeft(yt)
        // Room for half of the last x tick label, centred on the right end of the axis.
        let xt0 = niceTicks(xs.min() ?? 0, xs.max() ?? 1, maxTicks: 6)
        let right = max(10, textWidth(xt0.labels.last ?? "") / 2 + 4)
        // Groups without a curve (a metric their method never logs) get no legend entry; colours stay
        // those of the group's index, as in every other figure of the study.
        let shown = curves.indices.filter { !curves[$0].steps.isEmpty }
        let names = shown.map { "\(curves[$0].name) (n=\(curves[$0].n))" }
        var probe = Canvas(width: width, height: 1000)
        let legendH = legend(names, into: &probe, top: 0, left: left, right: right) { _, _, _ in "" }
        let top = 6 + legendH + 6, bottom = top + plotH, plotW = width - left - right
        let xt = axisTicks(xs.min() ?? 0, xs.max() ?? 1, length: plotW, horizontal: true)
        let capLines = captionLines(caption, width: width)
        let height = bottom + 4 + fs * 2.6 + 6 + Double(capLines.count) * fs * 1.2 + 4
        var c = Canvas(width: width, height: height)
        _ = legend(names, into: &c, top: 6, left: left, right: right) { i, x, y in
            "<line x1=\"\(f(x))\" y1=\"\(f(y))\" x2=\"\(f(x + 10))\" y2=\"\(f(y))\" stroke=\"\(palette[shown[i] % palette.count])\" stroke-width=\"2\"/>\n"
        }
        let y = yAxis(&c, ticks: yt, label: axisLabel, left: left, top: top, bottom: bottom, right: right)
        let xlo = xt.values.first!, xhi = xt.values.last!
        let x = { (v: Double) -> Double in left + plotW * (v - xlo) / (xhi - xlo) }
        for (v, l) in zip(xt.values, xt.labels) {
            c.line(x(v), bottom, x(v), bottom + 3)
            c.text(l, x: x(v), y: bottom + 4 + fs, anchor: .middle)
        }
        c.text(xLabel, x: left + plotW / 2, y: bottom + 4 + fs * 2.3, anchor: .middle)
        for (i, cv) in curves.enumerated() where !cv.steps.isEmpty {
            let color = palette[i % palette.count]
            let upper = zip(cv.steps, cv.high).map { "\(f(x($0))),\(f(y($1)))" }
            let lower = zip(cv.steps, cv.low).reversed().map { "\(f(x($0))),\(f(y($1)))" }
            c.body += "<polygon points=\"\((upper + lower).joined(separator: " "))\" fill=\"\(color)\" fill-opacity=\"0.18\" stroke=\"none\"/>\n"
            let pts = zip(cv.steps, cv.mean).map { "\(f(x($0))),\(f(y($1)))" }.joined(separator: " ")
            c.body += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.5\" points=\"\(pts)\"><title>\(esc(cv.name))</title></polyline>\n"
        }
        for (k, line) in capLines.enumerated() { c.text(line, x: 4, y: bottom + 4 + fs * 2.6 + 6 + fs * 0.8 + Double(k) * fs * 1.2) }
        return c.figure(title: title, caption: caption)
    }
}
