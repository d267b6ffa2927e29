import Foundation
import Testing

/// Package.swift declares exactly the modules each target imports: no dependency that no import uses
/// (it hides the real layering), and no import that only builds through a transitive dependency.
@Suite struct PackageImportsTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    /// Toolchain modules, not package targets.
    static let system: Set<String> = ["Foundation", "FoundationXML", "FoundationEssentials", "Testing", "XCTest", "Glibc", "Dispatch"]

    /// target name -> (folder, declared dependencies), read from Package.swift's `.target(`,
    /// `.executableTarget(` and `.testTarget(` entries (products count by their product name).
    func declared() throws -> [String: (folder: String, deps: Set<String>)] {
        let text = try String(contentsOf: Self.root.appendingPathComponent("Package.swift"), encoding: .utf8)
        var out: [String: (String, Set<String>)] = [:]
        let entry = try Regex(#"\.(target|executableTarget|testTarget)\(\s*name:\s*"([^"]+)"(.*?)\)\s*,?\s*(?=\.(?:target|executableTarget|testTarget)\(|\]\s*\)\s*$)"#)
            .dotMatchesNewlines()
        for m in text.matches(of: entry) {
            let kind = String(m.output[1].substring!), name = String(m.output[2].substring!), rest = String(m.output[3].substring!)
            var deps = Set<String>()
            if let open = rest.range(of: "dependencies: [") {
                var depth = 1, i = open.upperBound
                while depth > 0, i < rest.endIndex {
                    if rest[i] == "[" { depth += 1 } else if rest[i] == "]" { depth -= 1 }
                    i = rest.index(after: i)
                }
                let list = String(rest[open.upperBound..<rest.index(before: i)])
                let products = list.matches(of: try Regex(#"\.product\(name:\s*"([^"]+)""#)).map { String($0.output[1].substring!) }
                let withoutProducts = list.replacing(try Regex(#"\.product\([^)]*\)"#), with: "")
                let plain = withoutProducts.matches(of: try Regex(#""([^"]+)""#)).map { String($0.output[1].substring!) }
                deps = Set(products + plain)
            }
            out[name] = ((kind == "testTarget" ? "Tests/" : "Sources/") + name, deps)
        }
        return out
    }

    func imports(in folder: String) throws -> Set<String> {
        let dir = Self.root.appendingPathComponent(folder)
        guard let files = FileManager.default.enumerator(at: dir, includingPropertiesForKeys: nil) else { return [] }
        var found = Set<String>()
        let line = try Regex(#"(?m)^(?:@testable\s+|@_exported\s+)?import\s+(?:struct\s+|enum\s+|class\s+|func\s+)?([A-Za-z_][A-Za-z0-9_]*)"#)
        for case let url as URL in files where url.pathExtension == "swift" {
            let text = try String(contentsOf: url, encoding: .utf8)
            for m in text.matches(of: line) { found.insert(String(m.output[1].substring!)) }
        }
        return found.subtracting(Self.system)
    }

    @Test func dependenciesAreExactlyTheImports() throws {
        let targets = try declared()
        #expect(targets.count >= 10, "Package.swift parsed into \(targets.keys.sorted())")
        for (name, t) in targets.sorted(by: { $0.key < $1.key }) {
            let used = try imports(in: t.folder)
            // A C target has no Swift imports; the CLI tests depend on the bridge executable to build it.
            let runOnly: Set<String> = name == "CLITests" ? ["bridge"] : []
            let unused = t.deps.subtracting(used).subtracting(runOnly)
            let undeclared = used.subtracting(t.deps)
            #expect(unused.isEmpty, "\(name) declares \(unused.sorted()) but imports none of them: remove them from Package.swift")
            #expect(undeclared.isEmpty, "\(name) imports \(undeclared.sorted()) without declaring them in Package.swift")
        }
    }
}
