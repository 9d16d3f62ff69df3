import CALSA

/// What libasound says about a card: its id and name (`snd_ctl_card_info`).
package struct ALSACardInfo: Sendable, Equatable {
    /// ALSA's card id (`UltraMic384K`).
    public var id: String
    /// The card's name.
    public var name: String

    /// Asks libasound about card `card`; `nil` when ALSA does not know it (no such card, no
    /// sound hardware, or no permission on its control device).
    package static func lookup(card: Int) -> ALSACardInfo? {
        var control: OpaquePointer?
        guard snd_ctl_open(&control, "hw:\(card)", 0) == 0, let control else { return nil }
        defer { snd_ctl_close(control) }
        var info: OpaquePointer?
        guard snd_ctl_card_info_malloc(&info) == 0, let info else { return nil }
        defer { snd_ctl_card_info_free(info) }
        guard snd_ctl_card_info(control, info) == 0 else { return nil }
        let id = snd_ctl_card_info_get_id(info).flatMap { SysfsText.identifier(Array(String(cString: $0).utf8)) }
        let name = snd_ctl_card_info_get_name(info).flatMap { SysfsText.displayText(Array(String(cString: $0).utf8)) }
        guard let id else { return nil }
        return ALSACardInfo(id: id, name: name ?? id)
    }
}
