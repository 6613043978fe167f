/// A value of the Python literal subset used in `.npy` headers.
enum PythonLiteral: Equatable {
    case string(String)
    case int(Int)
    case bool(Bool)
    case none
    case tuple([PythonLiteral])
    case list([PythonLiteral])
    case dict([String: PythonLiteral])

    /// Python-like text, for error messages.
    var text: String {
        switch self {
        case let .string(s): return "'\(s)'"
        case let .int(i): return String(i)
        case let .bool(b): return b ? "True" : "False"
        case .none: return "None"
        case let .tuple(items): return "(" + items.map(\.text).joined(separator: ", ") + (items.count == 1 ? ",)" : ")")
        case let .list(items): return "[" + items.map(\.text).joined(separator: ", ") + "]"
        case let .dict(d): return "{" + d.keys.sorted().map { "'\($0)': \(d[$0]!.text)" }.joined(separator: ", ") + "}"
        }
    }
}

struct PythonLiteralError: Error { let message: String }

/// Parses the dict literal of a `.npy` header: strings, integers, True/False/None, tuples, lists, dicts.
struct PythonLiteralParser {
    private let chars: [Character]
    private var index = 0
    /// Open containers around the current value; capped so that a hostile header cannot exhaust the stack
    /// (numpy's own headers nest three deep: dict, shape tuple, and a descr list for structured dtypes).
    private var depth = 0
    static let maxDepth = 32

    init(text: String) { chars = Array(text) }

    mutating func parseDictionary() throws(PythonLiteralError) -> [String: PythonLiteral] {
        let value = try parseValue()
        skipSpace()
        guard index == chars.count else { throw PythonLiteralError(message: "unexpected text after the dict") }
        guard case let .dict(d) = value else { throw PythonLiteralError(message: "the header is not a dict") }
        return d
    }

    private mutating func skipSpace() {
        while index < chars.count, chars[index].isWhitespace { index += 1 }
    }

    private mutating func expect(_ c: Character) throws(PythonLiteralError) {
        skipSpace()
        guard index < chars.count, chars[index] == c else { throw PythonLiteralError(message: "expected '\(c)'") }
        index += 1
    }

    private mutating func enterContainer() throws(PythonLiteralError) {
        guard depth < Self.maxDepth else {
            throw PythonLiteralError(message: "containers nested more than \(Self.maxDepth) deep")
        }
        depth += 1
    }

    private mutating func parseValue() throws(PythonLiteralError) -> PythonLiteral {
        skipSpace()
        guard index < chars.count else { throw PythonLiteralError(message: "unexpected end of header") }
        switch chars[index] {
        case "{":
            try enterContainer()
            defer { depth -= 1 }
            index += 1
            var d: [String: PythonLiteral] = [:]
            while true {
                skipSpace()
                if index < chars.count, chars[index] == "}" { index += 1; return .dict(d) }
                guard case let .string(key) = try parseValue() else { throw PythonLiteralError(message: "dict key is not a string") }
                try expect(":")
                d[key] = try parseValue()
                skipSpace()
                if index < chars.count, chars[index] == "," { index += 1; continue }
                try expect("}")
                return .dict(d)
            }
        case "(", "[":
            try enterContainer()
            defer { depth -= 1 }
            let close: Character = chars[index] == "(" ? ")" : "]"
            let isTuple = chars[index] == "("
            index += 1
            var items: [PythonLiteral] = []
            while true {
                skipSpace()
                if index < chars.count, chars[index] == close { index += 1; break }
                items.append(try parseValue())
                skipSpace()
                if index < chars.count, chars[index] == "," { index += 1; continue }
                try expect(close)
                break
            }
            return isTuple ? .tuple(items) : .list(items)
        case "'", "\"":
            let quote = chars[index]
            index += 1
            var s = ""
            while index < chars.count, chars[index] != quote {
                if chars[index] == "\\", index + 1 < chars.count { index += 1 }
                s.append(chars[index])
                index += 1
            }
            guard index < chars.count else { throw PythonLiteralError(message: "unterminated string") }
            index += 1
            return .string(s)
        default:
            var word = ""
            while index < chars.count, chars[index].isLetter || chars[index].isNumber || chars[index] == "-" || chars[index] == "_" {
                word.append(chars[index])
                index += 1
            }
            if word.hasSuffix("L") { word.removeLast() }  // Python 2 longs
            switch word {
            case "True": return .bool(true)
            case "False": return .bool(false)
            case "None": return .none
            default:
                guard let i = Int(word) else { throw PythonLiteralError(message: "unexpected token '\(word)'") }
                return .int(i)
            }
        }
    }
}
