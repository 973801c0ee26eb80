# INIT_HOOK for dma.sh (sourced by /init while tracing; busybox ash).
# Waits for the USB disk (sd*, behind qemu-xhci) and the PCI virtio disk (serial btpci, behind
# the SMMU), then reads and writes a few MiB on each so DMA map/unmap traffic is traced.
U=; P=; i=0
while [ $i -lt 150 ]; do
  for b in /sys/block/sd*; do [ -e "$b" ] && U=/dev/${b##*/}; done
  for b in /sys/block/vd*; do
    [ -r "$b/serial" ] || continue
    read s < $b/serial; [ "$s" = btpci ] && P=/dev/${b##*/}
  done
  [ -n "$U" ] && [ -n "$P" ] && break
  sleep 0.2; i=$((i+1))
done
echo "dma-hook: usb disk '$U', pci disk '$P' after $i waits, uptime $(cat /proc/uptime)"
ls -l /dev/sd* /dev/vd*
for d in $U $P; do
  echo "dma-hook: $d"
  dd if=$d of=/dev/null bs=64k count=64                          # 4 MiB through the page cache
  dd if=$d of=/dev/null bs=4k count=256 skip=2048 iflag=direct   # 1 MiB, 4 KiB direct reads
  dd if=$d of=/dev/null bs=512 count=64 skip=40000 iflag=direct  # 64 sector-sized direct reads
  dd if=/dev/zero of=$d bs=4k count=64 seek=3072 oflag=direct     # 256 KiB direct writes
  dd if=/dev/zero of=$d bs=64k count=8 seek=256 && sync           # 512 KiB buffered writes
done
echo "dma-hook: done, uptime $(cat /proc/uptime)"
