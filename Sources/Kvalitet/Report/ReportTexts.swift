/// Every fixed text of the report, in Norwegian bokmål or English. The templates read them by
/// name (`{{t.respondents}}`), so wording lives here and markup in the templates.
///
/// Stored properties, not computed ones: Mustache finds values by reflection (`Mirror`), which
/// sees only stored properties.
struct ReportTexts {
    let language: Language
    let lang: String

    let title: String
    let contents: String
    let about: String
    let summary: String
    let respondents: String
    let responseRate: String
    let total: String
    let strongest: String
    let weakest: String
    let dimensions: String
    let dimension: String
    let mean: String
    let interval: String
    let change: String
    let chart: String
    let items: String
    let item: String
    let dontKnow: String
    let reversed: String
    let itemsNote: String
    let units: String
    let unit: String
    let unitsNote: String
    let goals: String
    let subproject: String
    let baseline: String
    let current: String
    let target: String
    let deadline: String
    let status: String
    let legend: String
    let legendMean: String
    let legendInterval: String
    let legendPrevious: String
    let legendReference: String
    let significantNote: String
    let run: String
    let madeWith: String
    let noData: String
    let period: String
    let of: String

    init(language: Language) {
        self.language = language
        lang = language.rawValue
        func pick(_ nb: String, _ en: String) -> String { language == .nb ? nb : en }
        title = pick("Kvalitetsrapport", "Quality report")
        contents = pick("Innhold", "Contents")
        about = pick(
            "Resultater fra brukerundersøkelser og medarbeiderundersøkelser, skala med 6 som best (medarbeidere: 5). "
                + "Snitt vises med én desimal og 95 % konfidensintervall. Grupper med for få svar vises ikke, "
                + "for å verne den enkeltes svar.",
            "Results of user and employee surveys, on scales where 6 is best (employees: 5). Means are shown with "
                + "one decimal and their 95% confidence interval. Groups with too few responses are not shown, "
                + "to protect each respondent's answers.")
        summary = pick("Sammendrag", "Summary")
        respondents = pick("Svar", "Responses")
        responseRate = pick("Svarprosent", "Response rate")
        total = pick("Snitt av dimensjonene", "Mean of dimensions")
        strongest = pick("Sterkest", "Strongest")
        weakest = pick("Svakest", "Weakest")
        dimensions = pick("Dimensjoner", "Dimensions")
        dimension = pick("Dimensjon", "Dimension")
        mean = pick("Snitt", "Mean")
        interval = pick("95 % KI", "95% CI")
        change = pick("Endring", "Change")
        chart = pick("Diagram", "Chart")
        items = pick("Svarfordeling per spørsmål", "Answers per item")
        item = pick("Spørsmål", "Item")
        dontKnow = pick("Vet ikke", "Don't know")
        reversed = pick("omvendt spørsmål: lavt svar er best", "reversed item: a low answer is best")
        itemsNote = pick(
            "Andel av dem som svarte på spørsmålet (også «vet ikke»). Lave svar til venstre, høye til høyre, «vet ikke» for seg.",
            "Share of those who answered the item (\"don't know\" included). Low answers left, high right, \"don't know\" apart.")
        units = pick("Enhetene", "Units")
        unit = pick("Enhet", "Unit")
        unitsNote = pick(
            "Enhetene rangert etter snitt i hver dimensjon. Enheter med for få svar vises uten tall.",
            "Units ranked by mean in each dimension. Units with too few responses are shown without figures.")
        goals = pick("Mål for delprosjektene", "Sub-project goals")
        subproject = pick("Delprosjekt", "Sub-project")
        baseline = pick("Utgangspunkt", "Baseline")
        current = pick("Nå", "Current")
        target = pick("Mål", "Target")
        deadline = pick("Frist", "Deadline")
        status = pick("Status", "Status")
        legend = pick("Forklaring", "Legend")
        legendMean = pick("snitt", "mean")
        legendInterval = pick("95 % konfidensintervall", "95% confidence interval")
        legendPrevious = pick("forrige periode", "previous period")
        legendReference = pick("referanse", "reference")
        significantNote = pick(
            "▲/▼: sikker endring fra forrige periode (Welch t-test, 5 % nivå). «–»: ingen sikker endring.",
            "▲/▼: significant change from the previous period (Welch t test, 5% level). \"–\": no significant change.")
        run = pick("Grunnlag", "Basis")
        madeWith = pick("Laget med kvalitet", "Made with kvalitet")
        noData = pick("Ingen svar å vise.", "No responses to show.")
        period = pick("Periode", "Period")
        of = pick("av", "of")
    }

    private func pick(_ nb: String, _ en: String) -> String { language == .nb ? nb : en }

    func fewerThan(_ n: Int) -> String { pick("færre enn \(n) svar", "fewer than \(n) responses") }
    var protectsSmallGroup: String { pick("skjult for å verne en mindre gruppe", "hidden to protect a smaller group") }
    func previous(_ period: String) -> String { pick("Forrige (\(period))", "Previous (\(period))") }
    func reference(_ label: String) -> String { label }
    var up: String { pick("økt", "up") }
    var down: String { pick("sank", "down") }
    var noChange: String { pick("ingen sikker endring", "no significant change") }

    func goalStatus(_ status: GoalStatus) -> String {
        switch status {
        case .reached: return pick("nådd", "reached")
        case .underway: return pick("på vei", "underway")
        case .notReached: return pick("ikke nådd", "not reached")
        case .missingData: return pick("mangler data", "no data")
        }
    }
}
