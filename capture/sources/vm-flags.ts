// The VmFlags codes the capture acts on, read from smaps's VmFlags line without allocating.

const SPACE = 32;

/** VmFlags codes the capture looks for, as bits of vmFlagBits(). */
export const VM_PF = 1; // pf: pure PFN range (VM_PFNMAP)
export const VM_IO = 2; // io: memory-mapped I/O area
export const VM_MM = 4; // mm: mixed map area (VM_MIXEDMAP)
export const VM_HT = 8; // ht: hugetlb area
export const VM_UW = 16; // uw: userfaultfd write-protect tracking

/**
 * Which of VM_PF, VM_IO, VM_MM, VM_HT and VM_UW a VmFlags value holds (two-letter codes separated
 * by spaces, as show_smap_vma_flags() prints them). One pass over the text, no allocation: a
 * host-wide capture asks this of every VMA, a process can have 250k.
 */
export function vmFlagBits(vmFlags: string): number {
  let bits = 0;
  const n = vmFlags.length;
  for (let i = 0; i < n;) {
    if (vmFlags.charCodeAt(i) === SPACE) {
      i++;
      continue;
    }
    let end = i + 1;
    while (end < n && vmFlags.charCodeAt(end) !== SPACE) end++;
    if (end - i === 2) {
      const a = vmFlags.charCodeAt(i);
      const b = vmFlags.charCodeAt(i + 1);
      if (a === 112 /* p */ && b === 102 /* f */) bits |= VM_PF;
      else if (a === 105 /* i */ && b === 111 /* o */) bits |= VM_IO;
      else if (a === 109 /* m */ && b === 109 /* m */) bits |= VM_MM;
      else if (a === 104 /* h */ && b === 116 /* t */) bits |= VM_HT;
      else if (a === 117 /* u */ && b === 119 /* w */) bits |= VM_UW;
    }
    i = end;
  }
  return bits;
}
