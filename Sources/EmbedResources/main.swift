import Foundation

// Usage: EmbedResources KIND OUTPUT FILE...
// Writes a Swift file declaring the files' names and texts, in the order given.
let args = CommandLine.arguments.dropFirst()
guard args.count >= 2 else {
    FileHandle.standardError.write(Data("usage: EmbedResources KIND OUTPUT FILE...\n".utf8))
    exit(2)
}
let kind = args[args.startIndex]
let output = args[args.startIndex + 1]
let files = args.dropFirst(2)

let typeName: String
switch kind {
case "sede-schema": typeName = "EmbeddedSedeSchema"
case "central-schema": typeName = "EmbeddedCentralSchema"
case "themes": typeName = "EmbeddedThemes"
case "catalogs": typeName = "EmbeddedCatalogs"
case "demo-catalogs": typeName = "EmbeddedDemoCatalogs"
default:
    FileHandle.standardError.write(Data("EmbedResources: unknown kind \(kind)\n".utf8))
    exit(2)
}

func literal(_ text: String) -> String {
    var hashes = "#"
    while text.contains("\"" + hashes) || text.contains("\"\"\"" + hashes) { hashes += "#" }
    return hashes + "\"\"\"\n" + text + (text.hasSuffix("\n") ? "" : "\n") + "\"\"\"" + hashes
}

var out = "// Generated at build time from the project's files. Do not edit.\n"
out += "enum \(typeName) {\n    static let files: [(name: String, text: String)] = [\n"
for path in files {
    let url = URL(fileURLWithPath: path)
    let text = try String(contentsOf: url, encoding: .utf8)
    out += "        (\"\(url.lastPathComponent)\", \(literal(text))),\n"
}
out += "    ]\n}\n"
try out.write(toFile: output, atomically: true, encoding: .utf8)
