import Foundation

/// A small chart drawn by the node as inline SVG: lines with a marker per point, or stacked
/// bars, over labelled categories (days, periods, keys). Every text is escaped; the chart has
/// an accessible name and description, and each point or bar a `<title>` with its value.
/// Colours come from the console's stylesheet (`series-0` … `series-7`), so no inline style.
struct SVGChart: Sendable {
    enum Style: Sendable {
        case line
        case stackedBars
    }

    struct Series: Sendable {
        var name: String
        /// One value per label; nil leaves a gap.
        var values: [Double?]
    }

    var title: String
    /// A sentence for screen readers saying what is drawn.
    var summary: String
    var labels: [String]
    var series: [Series]
    var style: Style
    /// How values read in tooltips and on the axis.
    var format: @Sendable (Double) -> String = SVGChart.compact
    /// Counts: the value axis steps by whole numbers.
    var integral = false

    static let width = 640.0
    static let height = 260.0
    static let margin = (top: 14.0, right: 14.0, bottom: 58.0, left: 56.0)
    static let palette = 8
    static let maxLabels = 8

    /// The chart as markup; `id` must be unique on the page (it names the title and description).
    func render(id: String) -> SVGMarkup {
        let safeID = HTMLText.escape(id)
        var svg = "<svg class=\"chart\" viewBox=\"0 0 \(Int(Self.width)) \(Int(Self.height))\" role=\"img\" "
            + "aria-labelledby=\"\(safeID)-title \(safeID)-desc\" data-points=\"\(pointCount)\" xmlns=\"http://www.w3.org/2000/svg\">"
        svg += "<title id=\"\(safeID)-title\">\(HTMLText.escape(title))</title>"
        svg += "<desc id=\"\(safeID)-desc\">\(HTMLText.escape(summary))</desc>"
        let plot = (x: Self.margin.left, y: Self.margin.top, width: Self.width - Self.margin.left - Self.margin.right,
                    height: Self.height - Self.margin.top - Self.margin.bottom)
        guard pointCount > 0, !labels.isEmpty else {
            svg += "<rect class=\"frame\" x=\"\(n(plot.x))\" y=\"\(n(plot.y))\" width=\"\(n(plot.width))\" height=\"\(n(plot.height))\"/>"
            svg += "<text class=\"empty\" x=\"\(n(plot.x + plot.width / 2))\" y=\"\(n(plot.y + plot.height / 2))\" text-anchor=\"middle\">No data yet</text>"
            return SVGMarkup(markup: svg + "</svg>")
        }
        let top = integral ? (max(Self.niceCeiling(maxValue), 4) / 4).rounded(.up) * 4 : Self.niceCeiling(maxValue)
        let slot = plot.width / Double(labels.count)
        func y(_ value: Double) -> Double { plot.y + plot.height - (top > 0 ? value / top : 0) * plot.height }
        func x(_ index: Int) -> Double { plot.x + slot * (Double(index) + 0.5) }

        // Grid and value axis.
        for step in 0...4 {
            let value = top * Double(step) / 4
            svg += "<line class=\"grid\" x1=\"\(n(plot.x))\" x2=\"\(n(plot.x + plot.width))\" y1=\"\(n(y(value)))\" y2=\"\(n(y(value)))\"/>"
            svg += "<text class=\"axis\" x=\"\(n(plot.x - 6))\" y=\"\(n(y(value) + 4))\" text-anchor=\"end\">\(HTMLText.escape(format(value)))</text>"
        }
        // Category axis: as many labels as fit without touching, evenly spaced.
        let widest = Double(labels.map { Self.shortened($0).count }.max() ?? 1) * 7 + 12
        let fitting = max(1, min(Self.maxLabels, Int(plot.width / widest)))
        let every = max(1, Int((Double(labels.count) / Double(fitting)).rounded(.up)))
        for (index, label) in labels.enumerated() where index % every == 0 {
            svg += "<text class=\"axis\" x=\"\(n(x(index)))\" y=\"\(n(plot.y + plot.height + 16))\" text-anchor=\"middle\">"
                + "\(HTMLText.escape(Self.shortened(label)))</text>"
        }
        switch style {
        case .line: svg += lines(x: x, y: y)
        case .stackedBars: svg += bars(x: x, y: y, slot: slot)
        }
        svg += legend(top: plot.y + plot.height + 32)
        return SVGMarkup(markup: svg + "</svg>")
    }

    private func lines(x: (Int) -> Double, y: (Double) -> Double) -> String {
        var svg = ""
        for (index, series) in series.enumerated() {
            let kind = "series-\(index % Self.palette)"
            var path = "", pen = false
            for (point, value) in series.values.enumerated() {
                guard let value, point < labels.count else { pen = false; continue }
                path += "\(pen ? "L" : "M")\(n(x(point))) \(n(y(value))) "
                pen = true
            }
            svg += "<path class=\"line \(kind)\" fill=\"none\" d=\"\(path)\"/>"
            for (point, value) in series.values.enumerated() where point < labels.count {
                guard let value else { continue }
                svg += "<circle class=\"point \(kind)\" cx=\"\(n(x(point)))\" cy=\"\(n(y(value)))\" r=\"3.5\">"
                    + "<title>\(HTMLText.escape("\(series.name) · \(labels[point]): \(format(value))"))</title></circle>"
            }
        }
        return svg
    }

    private func bars(x: (Int) -> Double, y: (Double) -> Double, slot: Double) -> String {
        var svg = ""
        let barWidth = max(1, min(slot * 0.7, 48))
        for point in labels.indices {
            var base = 0.0
            for (index, series) in series.enumerated() {
                guard point < series.values.count, let value = series.values[point], value > 0 else { continue }
                let top = y(base + value), bottom = y(base)
                svg += "<rect class=\"bar series-\(index % Self.palette)\" x=\"\(n(x(point) - barWidth / 2))\" y=\"\(n(top))\" "
                    + "width=\"\(n(barWidth))\" height=\"\(n(max(bottom - top, 0.5)))\">"
                    + "<title>\(HTMLText.escape("\(series.name) · \(labels[point]): \(format(value))"))</title></rect>"
                base += value
            }
        }
        return svg
    }

    private func legend(top: Double) -> String {
        guard series.count > 1 || !(series.first?.name.isEmpty ?? true) else { return "" }
        var svg = "<g class=\"legend\">"
        var left = Self.margin.left, row = top
        for (index, series) in series.enumerated() {
            let name = Self.shortened(series.name, to: 24)
            let width = 22 + Double(name.count) * 6.5
            if left + width > Self.width - Self.margin.right, left > Self.margin.left {
                left = Self.margin.left
                row += 14
            }
            svg += "<rect class=\"swatch series-\(index % Self.palette)\" x=\"\(n(left))\" y=\"\(n(row - 8))\" width=\"10\" height=\"10\"/>"
            svg += "<text class=\"legend-text\" x=\"\(n(left + 14))\" y=\"\(n(row + 1))\">\(HTMLText.escape(name))</text>"
            left += width
        }
        return svg + "</g>"
    }

    /// Points or bars drawn (also written as `data-points` for tests and scripts).
    var pointCount: Int {
        series.reduce(0) { count, series in count + series.values.prefix(labels.count).compactMap { $0 }.count }
    }

    private var maxValue: Double {
        switch style {
        case .line:
            return series.flatMap { $0.values.compactMap { $0 } }.filter(\.isFinite).max() ?? 0
        case .stackedBars:
            return labels.indices.map { point in
                series.reduce(0.0) { sum, series in
                    guard point < series.values.count, let value = series.values[point], value.isFinite, value > 0 else { return sum }
                    return sum + value
                }
            }.max() ?? 0
        }
    }

    /// The smallest 1, 2 or 5 × 10ⁿ at or above `value` (1 for nothing to show).
    static func niceCeiling(_ value: Double) -> Double {
        guard value.isFinite, value > 0 else { return 1 }
        let magnitude = pow(10, floor(log10(value)))
        for factor in [1.0, 2.0, 5.0, 10.0] where factor * magnitude >= value * (1 - 1e-12) { return factor * magnitude }
        return 10 * magnitude
    }

    /// 1234 → "1.2k", 0.25 → "0.25".
    @Sendable static func compact(_ value: Double) -> String {
        let magnitude = abs(value)
        if magnitude >= 1e6 { return String(format: "%.1fM", value / 1e6) }
        if magnitude >= 1e4 { return String(format: "%.0fk", value / 1e3) }
        if magnitude >= 1e3 { return String(format: "%.1fk", value / 1e3) }
        if magnitude == magnitude.rounded() { return String(format: "%.0f", value) }
        if magnitude >= 10 { return String(format: "%.1f", value) }
        return String(format: "%.2f", value)
    }

    static func shortened(_ text: String, to length: Int = 14) -> String {
        text.count <= length ? text : String(text.prefix(length - 1)) + "…"
    }

    private func n(_ value: Double) -> String { String(format: "%.1f", value) }
}
