import Foundation

/// The value of a list option such as ``Setting/layerRates`` or ``Setting/teacherSingularValues``:
/// numbers separated by commas, spaces around each allowed. A word that is not a number is
/// refused in one line naming `setting`, the word and the whole value.
public func numberList(_ text: String, _ setting: Setting) throws(LinflowError) -> [Double] {
    let cells = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
    var numbers: [Double] = []
    for cell in cells {
        guard let x = Double(cell) else { throw .usage("\(setting) takes comma-separated numbers, got '\(cell)' in '\(text)'") }
        numbers.append(x)
    }
    return numbers
}
