// The safetensors format reader: built by the loader work.
