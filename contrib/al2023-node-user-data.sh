#!/bin/bash
echo stub
