import Foundation

/// BOME's toy problems (Liu, Ye, Wright, Stone, Liu 2022, "BOME! Bilevel Optimization Made Easy",
/// arXiv 2209.08709). The definitions follow the toy scripts distributed with the paper's code
/// (toy_lls.py and toy_convergence.py, read in a public copy: github.com/mas991/ECE_509-Project,
/// Experiments/BOME/toy/); BOME writes the upper variable ν and the lower θ, here x = ν and y = θ.
///
/// Low-level-singleton-free toy ("lls"): θ ∈ R², ν ∈ R,
///   f = ½(ν − θ₂)² + ½(θ₁ − 1)²,   g = ½θ₁² − νθ₁.
/// S(ν) = {θ : θ₁ = ν} is a line (θ₂ is free), min g = −ν²/2; the optimistic solution is ν = 1,
/// θ = (1, 1), F* = 0, with optimistic F(ν) = ½(ν − 1)².
public struct BOMELowerLevelSingletonToy: BilevelProblem {
    public let name = "bome_lls"
    public let upperDimension = 1
    public let lowerDimension = 2
    public init() {}

    public func upper(_ x: [Double], _ y: [Double]) -> Double {
        0.5 * (x[0] - y[1]) * (x[0] - y[1]) + 0.5 * (y[0] - 1) * (y[0] - 1)
    }
    public func lower(_ x: [Double], _ y: [Double]) -> Double { 0.5 * y[0] * y[0] - x[0] * y[0] }
    public func upperGradX(_ x: [Double], _ y: [Double]) -> [Double] { [x[0] - y[1]] }
    public func upperGradY(_ x: [Double], _ y: [Double]) -> [Double] { [y[0] - 1, y[1] - x[0]] }
    public func lowerGradX(_ x: [Double], _ y: [Double]) -> [Double] { [-y[0]] }
    public func lowerGradY(_ x: [Double], _ y: [Double]) -> [Double] { [y[0] - x[0], 0] }
    public func lowerHessianVector(_ x: [Double], _ y: [Double], _ v: [Double]) -> [Double] { [v[0], 0] }
    /// The projection of `start` onto S(ν): θ = (ν, start₂) (where gradient descent from `start` lands).
    public func innerSolution(_ x: [Double], start: [Double]) throws -> InnerSolution {
        let y = [x[0], start.count > 1 ? start[1] : 0]
        return InnerSolution(y: y, value: -0.5 * x[0] * x[0], residual: 0, iterations: 0, method: "closed_form")
    }
    /// argmin over S(ν) of f: θ = (ν, ν).
    public func optimisticInnerSolution(_ x: [Double], start: [Double]) throws -> InnerSolution {
        InnerSolution(y: [x[0], x[0]], value: -0.5 * x[0] * x[0], residual: 0, iterations: 0, method: "closed_form")
    }
    public func distanceToSolutionSet(_ x: [Double], _ y: [Double]) throws -> Double { abs(y[0] - x[0]) }
    /// Optimistic hypergradient: d/dν ½(ν − 1)² = ν − 1.
    public func trueHypergradient(_ x: [Double]) throws -> [Double]? { [x[0] - 1] }
    public var optimalUpperValue: Double? { 0 }
}

/// BOME's coreset toy (toy_convergence.py): ν ∈ R⁴ weights four points p_i in the plane,
///   f = 0.1‖θ − t‖²  with target t = (3, −2),   g = ‖Σ softmax(ν)_i p_i − θ‖²,
///   p = (1, 3), (3, 1), (−2, 2), (−3, −2).
/// θ*(ν) = c(ν) = Σ softmax(ν)_i p_i (unique); F(ν) = 0.1‖c(ν) − t‖², F* = 0.1·dist(t, hull{p})²
/// (t lies outside the hull, so F* > 0 and is approached only as softmax saturates).
public struct BOMECoresetToy: BilevelProblem {
    public let name = "bome_coreset"
    public let upperDimension = 4
    public let lowerDimension = 2
    public static let points: [[Double]] = [[1, 3], [3, 1], [-2, 2], [-3, -2]]
    public static let goal: [Double] = [3, -2]
    public init() {}

    func softmax(_ v: [Double]) -> [Double] {
        let m = v.max()!
        let e = v.map { exp($0 - m) }
        let s = e.reduce(0, +)
        return e.map { $0 / s }
    }
    func center(_ x: [Double]) -> (c: [Double], s: [Double]) {
        let s = softmax(x)
        var c = [0.0, 0.0]
        for i in 0..<4 { c[0] += s[i] * Self.points[i][0]; c[1] += s[i] * Self.points[i][1] }
        return (c, s)
    }
    public func upper(_ x: [Double], _ y: [Double]) -> Double { 0.1 * Vec.dot(Vec.sub(y, Self.goal), Vec.sub(y, Self.goal)) }
    public func lower(_ x: [Double], _ y: [Double]) -> Double { let d = Vec.sub(center(x).c, y); return Vec.dot(d, d) }
    public func upperGradX(_ x: [Double], _ y: [Double]) -> [Double] { [0, 0, 0, 0] }
    public func upperGradY(_ x: [Double], _ y: [Double]) -> [Double] { Vec.scale(Vec.sub(y, Self.goal), 0.2) }
    /// ∂g/∂ν_j = 2 s_j (p_j − c)·(c − θ), from ∂c/∂ν_j = s_j (p_j − c).
    public func lowerGradX(_ x: [Double], _ y: [Double]) -> [Double] {
        let (c, s) = center(x)
        let d = Vec.sub(c, y)
        return (0..<4).map { 2 * s[$0] * Vec.dot(Vec.sub(Self.points[$0], c), d) }
    }
    public func lowerGradY(_ x: [Double], _ y: [Double]) -> [Double] { Vec.scale(Vec.sub(y, center(x).c), 2) }
    public func lowerHessianVector(_ x: [Double], _ y: [Double], _ v: [Double]) -> [Double] { Vec.scale(v, 2) }
    public func innerSolution(_ x: [Double], start: [Double]) throws -> InnerSolution {
        InnerSolution(y: center(x).c, value: 0, residual: 0, iterations: 0, method: "closed_form")
    }
    /// ∇F_j = 0.2 s_j (p_j − c)·(c − t).
    public func trueHypergradient(_ x: [Double]) throws -> [Double]? {
        let (c, s) = center(x)
        let d = Vec.sub(c, Self.goal)
        return (0..<4).map { 0.2 * s[$0] * Vec.dot(Vec.sub(Self.points[$0], c), d) }
    }
    /// 0.1·dist(t, hull)²: t is outside the hull, so the nearest hull point lies on a segment p_i p_j.
    public var optimalUpperValue: Double? {
        var best = Double.infinity
        for i in 0..<4 { for j in i..<4 {
            let a = Self.points[i], b = Self.points[j], ab = Vec.sub(b, a)
            let l2 = Vec.dot(ab, ab)
            let t = l2 > 0 ? min(1, max(0, Vec.dot(Vec.sub(Self.goal, a), ab) / l2)) : 0
            best = min(best, Vec.distance(Vec.axpy(a, t, ab), Self.goal))
        } }
        return 0.1 * best * best
    }
}
