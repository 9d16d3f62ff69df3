-- Two of the contract's seed profiles, for the demo station until the seeders (issue #7) load
-- profiles/*.yml. Insert-if-absent, like the seeders.
INSERT INTO microphone_profiles (slug, name, description, config, is_system) VALUES
('ultramic_384_evo', 'Dodotronic Ultramic 384 EVO', 'Ultrasonic microphone for bats and insects',
 '{"audio": {"sample_rate": 384000, "channels": 1, "format": "S16LE",
             "match": {"usb_vendor_id": "0869", "usb_product_id": "0389", "alsa_name_contains": "ultramic"}},
   "processing": {"gain_db": 12.0, "chunk_size": 8192, "highpass_filter_hz": 1000.0},
   "stream": {"raw_enabled": true, "processed_enabled": true, "live_stream_enabled": true, "segment_duration_s": 10}}', true),
('generic_usb', 'Generic USB Microphone', 'Safe fallback for unknown USB microphones',
 '{"audio": {"sample_rate": 48000, "channels": 1, "format": "S16LE"},
   "processing": {"gain_db": 0.0, "chunk_size": 4096},
   "stream": {"raw_enabled": true, "processed_enabled": false, "live_stream_enabled": false, "segment_duration_s": 10}}', true)
ON CONFLICT (slug) DO NOTHING;
