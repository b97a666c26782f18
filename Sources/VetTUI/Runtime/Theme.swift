import Foundation

/// Colours per style role, read from a `.theme` file: one `role = foreground, background, attr…`
/// per line, `#` for comments. Themes in `themes/` are compiled into the binary; a path loads a file.
public struct Theme: Sendable, Equatable {
    public var name: String
    public var styles: [StyleRole: StyleSpec]
    /// Whether the theme needs colour; on terminals without colour the runtime uses `mono`.
    public var usesColor: Bool

    public static let builtInNames: [String] = EmbeddedThemes.files.map { String($0.name.dropLast(6)) }

    public struct LoadError: Error, CustomStringConvertible {
        public let description: String
    }

    /// A built-in theme by name, or a theme file by path.
    public static func load(_ nameOrPath: String) throws -> Theme {
        if let file = EmbeddedThemes.files.first(where: { $0.name == nameOrPath + ".theme" }) {
            return try parse(file.text, name: nameOrPath)
        }
        if nameOrPath.contains("/") || nameOrPath.hasSuffix(".theme") {
            guard let text = try? String(contentsOfFile: nameOrPath, encoding: .utf8) else {
                throw LoadError(description: "No se pudo leer el tema \(nameOrPath)")
            }
            return try parse(text, name: (nameOrPath as NSString).lastPathComponent)
        }
        throw LoadError(description: "No existe el tema \(nameOrPath). Temas: \(builtInNames.joined(separator: ", "))")
    }

    public static var mono: Theme {
        (try? load("mono")) ?? Theme(name: "mono", styles: [:], usesColor: false)
    }

    public static func parse(_ text: String, name: String) throws -> Theme {
        var styles: [StyleRole: StyleSpec] = [:]
        var usesColor = false
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init)?
                .trimmingCharacters(in: .whitespaces) ?? ""
            if line.isEmpty { continue }
            let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, let role = StyleRole(rawValue: parts[0]) else {
                throw LoadError(description: "Tema \(name), línea \(index + 1): se esperaba «rol = color, fondo, atributos»")
            }
            let values = parts[1].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            var spec = StyleSpec()
            var colorsSeen = 0
            for value in values where !value.isEmpty {
                if let attribute = ["bold": TextAttributes.bold, "reverse": .reverse, "underline": .underline, "dim": .dim][value] {
                    spec.attributes.insert(attribute)
                } else if let color = TermColor(rawValue: value), colorsSeen < 2 {
                    if colorsSeen == 0 { spec.foreground = color } else { spec.background = color }
                    colorsSeen += 1
                    if color != .default { usesColor = true }
                } else {
                    throw LoadError(description: "Tema \(name), línea \(index + 1): valor desconocido «\(value)»")
                }
            }
            styles[role] = spec
        }
        return Theme(name: name, styles: styles, usesColor: usesColor)
    }

    public func spec(_ role: StyleRole) -> StyleSpec { styles[role] ?? styles[.normal] ?? StyleSpec() }
}
