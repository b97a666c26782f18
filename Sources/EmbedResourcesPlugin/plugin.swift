import Foundation
import PackagePlugin

/// Compiles the project's top-level `schema/`, `themes/` and `catalogs/` folders into Swift source,
/// so every binary carries the migrations, themes and catalogues it was built with and runs from any
/// directory. The catalogues every binary reads (`.txt`) go into VetCore; the demo's catalog
/// (`.csv`) only into VetDemo.
@main
struct EmbedResourcesPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let root = context.package.directoryURL
        let (kind, folder, ext): (String, URL, String)
        switch target.name {
        case "VetStore": (kind, folder, ext) = ("sede-schema", root.appending(path: "schema/sede"), "sql")
        case "VetCentral": (kind, folder, ext) = ("central-schema", root.appending(path: "schema/central"), "sql")
        case "VetTUI": (kind, folder, ext) = ("themes", root.appending(path: "themes"), "theme")
        case "VetCore": (kind, folder, ext) = ("catalogs", root.appending(path: "catalogs"), "txt")
        case "VetDemo": (kind, folder, ext) = ("demo-catalogs", root.appending(path: "catalogs"), "csv")
        default: return []
        }
        let files = try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == ext }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        let output = context.pluginWorkDirectoryURL.appending(path: "Embedded-\(kind).swift")
        let tool = try context.tool(named: "EmbedResources")
        return [.buildCommand(
            displayName: "Embedding \(kind) for \(target.name)",
            executable: tool.url,
            arguments: [kind, output.path()] + files.map { $0.path() },
            inputFiles: files,
            outputFiles: [output]
        )]
    }
}
