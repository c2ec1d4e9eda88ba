import Mustache

/// Renders the report's content with the Mustache templates in `Report/Templates/` (compiled in as
/// `ReportTemplates`): markup lives in the templates, figures and geometry in `ReportBuilder`.
/// Mustache escapes every value for HTML (quotes too), so names and texts from the input cannot
/// break out of an element or attribute.
enum ReportRenderer {
    static func library() throws(KvalitetError) -> MustacheLibrary {
        var library = MustacheLibrary()
        for (name, text) in ReportTemplates.templates {
            do {
                try library.register(text, named: String(name.dropLast(".mustache".count)))
            } catch {
                throw KvalitetError(.output, "internal error: " + "report template \(name) does not parse: \(error)")
            }
        }
        return library
    }

    static func render(_ page: ReportPage) throws(KvalitetError) -> String {
        try render(page, template: "report")
    }

    static func render(_ page: Any, template: String) throws(KvalitetError) -> String {
        guard let html = try library().render(page, withTemplate: template) else {
            throw KvalitetError(.output, "internal error: " + "the \(template) template is missing")
        }
        return html
    }
}
