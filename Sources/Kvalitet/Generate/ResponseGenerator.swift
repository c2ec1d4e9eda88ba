#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes realistic synthetic responses for any indicator set, for trying a set before piloting
/// it and for benchmarks (`kvalitet generate`).
///
/// The model: every municipality and unit has an effect, every respondent a latent trait around
/// their unit's level, and every answer is the trait on the item's scale plus noise, rounded and
/// kept on the scale (reversed items mirrored), so items of a dimension correlate and alpha is in
/// the range real surveys show. Share sets answer "positive" with a probability rising with the
/// trait. A few cells are "vet ikke", blank or invalid, and a few interviews are aborted.
public struct ResponseGenerator: Sendable {
    public enum Format: String, Sendable, CaseIterable {
        case csv, xml
    }

    public var set: any IndicatorSet
    public var responses: Int
    public var municipalities = 1
    /// Units per municipality.
    public var units = 5
    /// Services per municipality: its units are split over them in order (the set's service
    /// when 1, else that name with a number).
    public var services = 1
    public var periods = ["2024"]
    public var format = Format.csv
    public var seed: UInt64 = 1
    /// Shares of cells that are "vet ikke", blank and invalid, and of aborted interviews.
    public var dontKnowRate = 0.03
    public var blankRate = 0.03
    public var invalidRate = 0.002
    public var abortedRate = 0.01

    public init(set: any IndicatorSet, responses: Int) {
        self.set = set
        self.responses = responses
    }

    /// Municipality names of the generated data (fictional numbers 9000+).
    func municipalityName(_ index: Int) -> String {
        "\(9000 + index) Syntetisk \(index + 1)"
    }

    /// Checks the options before anything is written.
    public func validate() throws(KvalitetError) {
        guard responses >= 0 else {
            throw KvalitetError(.usage, "--responses must be 0 or more", nb: "--responses må være 0 eller mer")
        }
        guard municipalities >= 1, units >= 1, services >= 1 else {
            throw KvalitetError(
                .usage, "--municipalities, --units and --services must be 1 or more",
                nb: "--municipalities, --units og --services må være 1 eller mer")
        }
        guard services <= units else {
            throw KvalitetError(
                .usage, "--services cannot be more than --units (every service has a unit)",
                nb: "--services kan ikke være flere enn --units (hver tjeneste har en enhet)")
        }
        guard !periods.isEmpty, periods.allSatisfy({ !$0.isEmpty && !$0.contains(",") }) else {
            throw KvalitetError(
                .usage, "--periods needs one or more periods, for example 2024,2025",
                nb: "--periods trenger én eller flere perioder, for eksempel 2024,2025")
        }
        if format == .xml && (municipalities > 1 || periods.count > 1) {
            throw KvalitetError(
                .usage,
                "an XML file holds one municipality and one period (FORMAT.md §3): use --municipalities 1 and one period, or --format csv"
            )
        }
    }

    /// Writes the responses to `output`, in file order; memory does not grow with `responses`.
    public func write(to output: inout some TextOutput) throws(KvalitetError) {
        try validate()
        var random = SplitMix64(seed: seed)
        let items = set.items
        let scale = set.scale
        let serviceName = set.metadata.service.isEmpty ? "Tjeneste" : set.metadata.service
        let serviceNames = services == 1 ? [serviceName] : (1...services).map { "\(serviceName) \($0)" }
        let share = set.scoring.name == "share"
        // Effects: municipality ± 0.05, unit ± 0.08 on a 0–1 latent scale around 0.68.
        let municipalityEffects = (0..<municipalities).map { _ in 0.05 * random.normal() }
        let unitLevels = (0..<(municipalities * units)).map { 0.68 + municipalityEffects[$0 / units] + 0.08 * random.normal() }
        let unitCount = municipalities * units
        let perPeriod = periods.map { _ in responses / periods.count }
        var counts = perPeriod
        for index in 0..<(responses - perPeriod.reduce(0, +)) { counts[index] += 1 }
        let dontKnow = scale.dontKnow.first ?? ""

        var line = ""
        line.reserveCapacity(16 * items.count + 80)
        if format == .csv {
            try output.write(
                "respondent,municipality,service,unit,period,set,status,bg.gruppe,"
                    + items.map(\.id).joined(separator: ",") + "\n")
        } else {
            try output.write(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- Synthetic responses made by kvalitet generate (seed \(seed)). -->\n"
                    + "<survey set=\"\(set.id)\" municipality=\"\(municipalityName(0))\" period=\"\(periods[0])\">\n")
        }
        var serial = 0
        for (periodIndex, period) in periods.enumerated() {
            // Responses are spread over the units in order, so XML units stay contiguous.
            for unitIndex in 0..<unitCount {
                let inUnit = counts[periodIndex] / unitCount + (unitIndex < counts[periodIndex] % unitCount ? 1 : 0)
                let municipality = municipalityName(unitIndex / units)
                let unitID = "enhet-\(unitIndex % units + 1)"
                let service = serviceNames[unitIndex % units * services / units]
                if format == .xml && inUnit > 0 {
                    try output.write("  <unit id=\"\(unitID)\" service=\"\(service)\">\n")
                }
                for _ in 0..<inUnit {
                    serial += 1
                    let trait = unitLevels[unitIndex] + 0.15 * random.normal() + 0.02 * Double(periodIndex)
                    let aborted = random.uniform() < abortedRate
                    let group = ["a", "b", "c"][Int(random.uniform() * 3)]
                    line.removeAll(keepingCapacity: true)
                    if format == .csv {
                        line +=
                            "r\(serial),\(municipality),\(service),\(unitID),\(period),\(set.id),\(aborted ? "aborted" : "complete"),\(group)"
                    } else {
                        line +=
                            "    <response id=\"r\(serial)\" status=\"\(aborted ? "aborted" : "complete")\"><background name=\"gruppe\">\(group)</background>"
                    }
                    for item in items {
                        let cell: String
                        let u = random.uniform()
                        if u < dontKnowRate && !dontKnow.isEmpty {
                            cell = dontKnow
                        } else if u < dontKnowRate + blankRate || (aborted && u < 0.7) {
                            cell = ""
                        } else if u < dontKnowRate + blankRate + invalidRate {
                            cell = "x"
                        } else if share {
                            let yes = random.uniform() < 1 / (1 + exp(-8 * (trait - 0.5)))
                            let positive = set.scoring.positive
                            let other = positive == scale.min ? scale.max : scale.min
                            cell = String((yes != item.reverse) ? positive : other)
                        } else {
                            let span = Double(scale.max - scale.min)
                            let raw = Double(scale.min) + span * trait + span * 0.11 * random.normal()
                            var code = min(scale.max, max(scale.min, Int(raw.rounded())))
                            if item.reverse { code = scale.min + scale.max - code }
                            cell = String(code)
                        }
                        if format == .csv {
                            line += "," + (cell.contains(" ") ? "\"\(cell)\"" : cell)
                        } else if !cell.isEmpty {
                            line += "<answer item=\"\(item.id)\">\(cell)</answer>"
                        }
                    }
                    line += format == .csv ? "\n" : "</response>\n"
                    try output.write(line)
                }
                if format == .xml && inUnit > 0 { try output.write("  </unit>\n") }
            }
        }
        if format == .xml { try output.write("</survey>\n") }
    }
}
