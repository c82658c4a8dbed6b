/** Files of a tree: path (POSIX, relative, no leading `./`) → content. */
export type FileTree = ReadonlyMap<string, Uint8Array>;
