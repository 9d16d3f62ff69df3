import CALSA

/// Facts about the ALSA library this build links against.
package enum ALSALibrary {
    /// The runtime version of libasound, such as `1.2.8`.
    public static var version: String {
        String(cString: snd_asoundlib_version())
    }

    /// The indices of the sound cards ALSA itself sees on this machine (empty where there is no
    /// sound hardware). `snd_card_next` ends the list with return 0 and index -1.
    package static func cardIndices() -> [Int] {
        var indices: [Int] = []
        var card: Int32 = -1
        while snd_card_next(&card) == 0, card >= 0 {
            indices.append(Int(card))
        }
        return indices
    }
}
