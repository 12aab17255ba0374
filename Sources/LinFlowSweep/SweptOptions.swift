import LinFlowNumerics

/// The swept command's options as the executable spells them. A plan refuses the settings a
/// sweep fixes itself or that would make its tasks collide (``SweepPlan/reserved``), and an
/// option both on a grid and among the shared options; for both it asks the executable, which
/// alone knows linflow's option names and spellings, instead of composing flags of its own.
public struct SweptOptions: Sendable {
    /// The setting that the option named `name` (as a grid names it: `out`, `o`) sets; nil for
    /// a name that sets none of the library's settings.
    public var setting: @Sendable (_ name: String) -> Setting?
    /// The names (long, and short if any) of the option that sets `setting`.
    public var names: @Sendable (_ setting: Setting) -> [String]
    /// Whether `arguments` give the option named `name`, in any of its spellings.
    public var mentions: @Sendable (_ arguments: [String], _ name: String) -> Bool

    public init(setting: @escaping @Sendable (String) -> Setting?, names: @escaping @Sendable (Setting) -> [String],
                mentions: @escaping @Sendable ([String], String) -> Bool) {
        (self.setting, self.names, self.mentions) = (setting, names, mentions)
    }
}
