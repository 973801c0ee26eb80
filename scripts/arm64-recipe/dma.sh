#!/bin/bash
# Record the 6.12 arm64 boot with DMA traffic: make.sh with a USB mass-storage disk behind
# qemu-xhci and a virtio-blk-pci disk (iommu_platform=on, modern only) behind an SMMUv3, both
# read and written by src/dma-hook.sh while dma:*, swiotlb:* and kmem:* events are traced.
# No network device (-nic none). Same options as make.sh (WORK, MEMS, SETTLE, ...);
# the result folder is <kernel release>-<mem>-dma.
set -euo pipefail
TOP=$(cd "$(dirname "$0")" && pwd)
export WORK=${WORK:-$PWD/arm64-boots}
mkdir -p "$WORK/disks"
# small raw disks with non-zero content (the guest reads them; contents do not matter)
for d in usb pci; do
  [ -f "$WORK/disks/$d.img" ] || { truncate -s 32M "$WORK/disks/$d.img"; { yes "$d disk" || true; } | head -c 4M | dd of="$WORK/disks/$d.img" conv=notrunc status=none; }
done
export KERNELS=${KERNELS:-6.12} MEMS=${MEMS:-2G} TAG=${TAG:--dma}
export EXTRA_EVENTS=${EXTRA_EVENTS:-"dma:*,swiotlb:*,kmem:*"}
export QEMU_MACHINE=${QEMU_MACHINE:-virt,iommu=smmuv3}
export EXTRA_QEMU=${EXTRA_QEMU:-"-device qemu-xhci,id=xhci
 -drive if=none,id=u0,file=$WORK/disks/usb.img,format=raw -device usb-storage,bus=xhci.0,drive=u0
 -drive if=none,id=p0,file=$WORK/disks/pci.img,format=raw
 -device virtio-blk-pci,drive=p0,serial=btpci,iommu_platform=on,disable-legacy=on"}
export PRE_MODULES=${PRE_MODULES:-"xhci-pci usb-storage sd_mod virtio_blk"}
export INIT_HOOK=${INIT_HOOK:-$TOP/src/dma-hook.sh}
exec "$TOP/make.sh"
